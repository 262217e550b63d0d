"""Survey waves: creating, listing and serving them."""
