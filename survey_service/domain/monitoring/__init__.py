"""Response monitoring during fieldwork: counts per day, language, mode and stratum, small counts withheld."""
