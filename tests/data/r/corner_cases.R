# Reference values for the corner cases tested in tests/unit/analysis/test_corner_cases.py, computed
# with the local R on R's own example data (data(api) from the survey package).
# usage (from this directory): Rscript corner_cases.R
# Writes corner-cases.json (NaN, NA and Inf are written as the strings "NaN", "NA", "Inf").
suppressMessages({library(survey); library(jsonlite)})
data(api)
options(survey.lonely.psu = "fail")

est <- function(s) unname(c(coef(s), SE(s)))
ci3 <- function(p) unname(c(coef(p), confint(p)))
chisq <- function(f, d) {
  a <- svychisq(f, d, statistic = "F"); b <- svychisq(f, d, statistic = "Chisq")
  list(F = unname(c(a$statistic, a$parameter, a$p.value)), Chisq = unname(c(b$statistic, b$parameter, b$p.value)))
}

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)

# 1. logit (bounded) calibration on three margins; population totals from apipop
cal_formula <- ~stype + sch.wide + comp.imp
cal_pop <- colSums(model.matrix(cal_formula, apipop))
logit_out <- function(lo, hi) {
  d <- calibrate(dstrat, cal_formula, cal_pop, calfun = "logit", bounds = c(lo, hi), epsilon = 1e-12, maxit = 100)
  list(bounds = c(lo, hi), weights = unname(weights(d)), g_range = range(weights(d) / weights(dstrat)),
       mean_api00 = est(svymean(~api00, d)), total_enroll = est(svytotal(~enroll, d)),
       ciprop_awards = ci3(svyciprop(~I(awards == "Yes"), d)))
}
logit <- list(
  population = as.list(cal_pop),
  linear_weights = unname(weights(calibrate(dstrat, cal_formula, cal_pop))),
  bounds_0.5_2 = logit_out(0.5, 2),
  bounds_0.6_1.6 = logit_out(0.6, 1.6)
)

# 2. a domain inside one PSU: district 61 of apiclus1 (13 schools, 2 without a school-wide target)
one <- subset(dclus1, dnum == 61)
one_psu <- list(
  degf = degf(one),
  mean_sch_wide = est(svymean(~sch.wide, one)),
  confint_sch_wide_no = unname(confint(svymean(~sch.wide, one), df = degf(one))[1, ]),
  ciprop_logit = ci3(svyciprop(~I(sch.wide == "No"), one)),
  ciprop_beta = as.numeric(confint(suppressWarnings(svyciprop(~I(sch.wide == "No"), one, method = "beta")))),
  mean_api00 = est(svymean(~api00, one)),
  confint_api00 = unname(confint(svymean(~api00, one), df = degf(one))[1, ])
)

# 3. design effect with all weights equal to 1 (psum = n): V_srs = 0
eq_clus <- svydesign(id = ~dnum, weights = ~one, data = transform(apiclus1, one = 1))
eq_srs <- svydesign(id = ~1, weights = ~one, data = transform(apisrs, one = 1))
half_srs <- svydesign(id = ~1, weights = ~h, data = transform(apisrs, h = 0.5))
deff_equal <- list(
  clus1_api00 = unname(deff(svymean(~api00, eq_clus, deff = TRUE))),
  srs_api00 = unname(deff(svymean(~api00, eq_srs, deff = TRUE))),
  srs_constant = unname(deff(svymean(~I(0 * api00 + 1), eq_srs, deff = TRUE))),
  srs_half_weights = unname(suppressWarnings(deff(svymean(~api00, half_srs, deff = TRUE))))
)

# 4. zero weights: every 13th school of apistrat gets weight 0
zw <- transform(apistrat, w = ifelse(seq_len(nrow(apistrat)) %% 13 == 0, 0, pw))
dzero <- svydesign(id = ~1, strata = ~stype, weights = ~w, fpc = ~fpc, data = zw)
zero_weights <- list(
  rows_zero = which(zw$w == 0),
  degf = degf(dzero),
  mean_api00 = est(svymean(~api00, dzero)),
  chisq = chisq(~sch.wide + stype, dzero),
  ciprop_beta = ci3(svyciprop(~I(sch.wide == "Yes"), dzero, method = "beta")),
  ciprop_logit = ci3(svyciprop(~I(sch.wide == "Yes"), dzero))
)

# 5. lonely PSUs: the example of ?surveyoptions, apiclus1 stratified by district (district 413 has one school)
dlonely <- svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1)
lonely <- list()
for (how in c("average", "adjust", "remove", "certainty")) {
  options(survey.lonely.psu = how)
  lonely[[how]] <- list(mean_api00 = est(svymean(~api00, dlonely)), total_enroll = est(svytotal(~enroll, dlonely)),
                        mean_sch_wide = est(svymean(~sch.wide, dlonely)), degf = degf(dlonely))
}
# a second-stage unit alone in its district (fpc at both stages): R's "average" leaves the variance NaN
multi <- as.numeric(names(which(table(apiclus2$dnum) >= 2))[1])
dropped <- which(apiclus2$dnum == multi)[-1]
options(survey.lonely.psu = "average")
lonely$average_second_stage <- list(
  dropped_rows = dropped,
  mean_api00 = est(svymean(~api00, svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2[-dropped, ])))
)
options(survey.lonely.psu = "fail")

# 6. svychisq(statistic = "Chisq") reports the unadjusted Pearson X-squared and the p-value of X^2/mean(delta)
chisq_names <- list(dstrat = chisq(~sch.wide + stype, dstrat), dclus1 = chisq(~sch.wide + stype, dclus1))

# 7. documented differences
pop2 <- colSums(model.matrix(~stype + sch.wide, apipop))
rk2 <- rake(dclus2, list(~stype, ~sch.wide),
            list(data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018)),
                 data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))))
cal2 <- calibrate(dclus2, ~stype + sch.wide, pop2, calfun = "raking", epsilon = 1e-12, maxit = 100)
differences <- list(
  empty_domain_mean_api00 = est(svymean(~api00, subset(dclus1, dnum == 999))),
  boundary_share_logit = ci3(svyciprop(~I(stype == "H"), one)),
  dclus2_rake = list(mean_api00 = est(svymean(~api00, rk2)), mean_ell = est(svymean(~ell, rk2))),
  dclus2_calibrate_raking = list(mean_api00 = est(svymean(~api00, cal2)), mean_ell = est(svymean(~ell, cal2)))
)

out <- list(R = R.version.string, survey_version = as.character(packageVersion("survey")),
            logit = logit, one_psu = one_psu, deff_equal = deff_equal, zero_weights = zero_weights,
            lonely = lonely, chisq_names = chisq_names, differences = differences)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "corner-cases.json")
