# Exports the R data sets used by tests/unit/analysis and computes reference values with the local R.
# usage (from this directory): Rscript make_reference.R
# Writes api/*.csv, psych/*.csv, datasets/*.csv and local-reference.json.
suppressMessages({library(survey); library(psych); library(jsonlite)})
data(api)
dir.create("api", showWarnings = FALSE)
dir.create("psych", showWarnings = FALSE)
dir.create("datasets", showWarnings = FALSE)
write.csv(apistrat, "api/apistrat.csv", row.names = FALSE)
write.csv(apiclus1, "api/apiclus1.csv", row.names = FALSE)
write.csv(apiclus2, "api/apiclus2.csv", row.names = FALSE)
write.csv(apisrs, "api/apisrs.csv", row.names = FALSE)
write.csv(bfi, "psych/bfi.csv", row.names = FALSE)
write.csv(attitude, "datasets/attitude.csv", row.names = FALSE)
write.csv(as.data.frame(UCBAdmissions), "datasets/UCBAdmissions.csv", row.names = FALSE)

est <- function(s) unname(c(coef(s), SE(s)))
ci3 <- function(p) unname(c(coef(p), confint(p)))
chisq <- function(f, d) {
  a <- svychisq(f, d, statistic = "F"); b <- svychisq(f, d, statistic = "Chisq")
  list(F = unname(c(a$statistic, a$parameter, a$p.value)), Chisq = unname(c(b$statistic, b$parameter, b$p.value)))
}
cipropall <- function(f, d) {
  out <- list()
  for (m in c("logit", "likelihood", "asin", "beta", "mean", "xlogit")) out[[m]] <- ci3(svyciprop(f, d, method = m))
  out
}
glmout <- function(g) list(coef = unname(coef(g)), se = unname(SE(g)), df.residual = g$df.residual)
ttest <- function(t) list(t = unname(t$statistic), df = unname(t$parameter), p = t$p.value,
                          estimate = unname(t$estimate), ci = unname(as.numeric(t$conf.int)))

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
by1 <- svyby(~api00, ~sch.wide, dstrat, svymean)
strat <- list(
  mean_api00 = est(svymean(~api00, dstrat)),
  total_enroll = est(svytotal(~enroll, dstrat)),
  degf = degf(dstrat),
  by_sch_wide = list(No = unname(c(coef(by1)[1], SE(by1)[1])), Yes = unname(c(coef(by1)[2], SE(by1)[2]))),
  ttest = ttest(svyttest(api00 ~ sch.wide, dstrat)),
  ciprop = cipropall(~I(sch.wide == "Yes"), dstrat),
  chisq = chisq(~sch.wide + stype, dstrat),
  quasibinomial = glmout(svyglm(I(sch.wide == "Yes") ~ ell + meals + mobility, dstrat, family = quasibinomial)),
  # glm's default convergence (epsilon = 1e-8) leaves the SEs accurate to about 1e-5 only
  quasibinomial_converged = glmout(svyglm(I(sch.wide == "Yes") ~ ell + meals + mobility, dstrat,
                                          family = quasibinomial, control = glm.control(epsilon = 1e-14, maxit = 100)))
)

dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus1n <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
ps <- postStratify(dclus1, ~stype, pop.types)
rk <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
rkc <- calibrate(dclus1, ~stype + sch.wide, c(6194, 755, 1018, 5122), calfun = "raking", epsilon = 1e-12, maxit = 100)
greg <- calibrate(dclus1, ~stype + api99, c(6194, 755, 1018, 3914069))
gregb <- calibrate(dclus1, ~stype + api99, c(6194, 755, 1018, 3914069), bounds = c(0.6, 1.6), epsilon = 1e-12)
gregr <- calibrate(dclus1, ~stype + api99, c(6194, 755, 1018, 3914069), calfun = "raking", epsilon = 1e-12)
naive <- svydesign(id = ~dnum, weights = ~w, fpc = ~fpc, data = transform(apiclus1, w = weights(greg)))
by2 <- svyby(~api99, ~stype, dclus1, svymean)
st <- svymean(~stype, dclus1)
rat <- svyratio(~api.stu, ~enroll, dclus1)
trimmed <- trimWeights(greg, upper = 50, lower = 20)
chained <- calibrate(ps, ~sch.wide, c(6194, 5122), calfun = "raking", epsilon = 1e-12)
chained_trimmed <- trimWeights(chained, upper = 45, lower = 25)
clus1 <- list(
  mean_api00 = est(svymean(~api00, dclus1)),
  mean_api00_nofpc = est(svymean(~api00, dclus1n)),
  deff_api00 = unname(deff(svymean(~api00, dclus1, deff = TRUE))),
  total_enroll = est(svytotal(~enroll, dclus1)),
  degf = degf(dclus1),
  mean_stype = list(E = unname(c(coef(st)[1], SE(st)[1])), H = unname(c(coef(st)[2], SE(st)[2])),
                    M = unname(c(coef(st)[3], SE(st)[3]))),
  ratio = unname(c(coef(rat), SE(rat))),
  by_stype_api99 = setNames(lapply(1:3, function(i) unname(c(coef(by2)[i], SE(by2)[i]))), c("E", "H", "M")),
  ciprop = cipropall(~I(ell == 0), dclus1),
  poststratify = list(mean_api00 = est(svymean(~api00, ps)), total_enroll = est(svytotal(~enroll, ps)),
                      weight_1 = unname(weights(ps)[1])),
  rake_default = list(mean_api00 = est(svymean(~api00, rk)), weight_1 = unname(weights(rk)[1])),
  rake_exact = list(mean_api00 = est(svymean(~api00, rkc)), total_enroll = est(svytotal(~enroll, rkc)),
                    weight_1 = unname(weights(rkc)[1])),
  greg = list(mean_api00 = est(svymean(~api00, greg)), weight_range = range(weights(greg)),
              total_enroll = est(svytotal(~enroll, greg))),
  greg_bounded = list(mean_api00 = est(svymean(~api00, gregb)), weight_range = range(weights(gregb))),
  greg_raking = list(mean_api00 = est(svymean(~api00, gregr)), weight_range = range(weights(gregr))),
  greg_trimmed_20_50 = list(mean_api00 = est(svymean(~api00, trimmed)), weight_range = range(weights(trimmed))),
  naive_greg_se = unname(SE(svymean(~api00, naive))),
  poststratify_then_rake = list(mean_api00 = est(svymean(~api00, chained)),
                                trimmed_25_45_mean_api00 = est(svymean(~api00, chained_trimmed))),
  chisq = chisq(~sch.wide + stype, dclus1),
  ttest_enroll_comp_imp = ttest(svyttest(enroll ~ comp.imp, dclus1)),
  ttest_growth = ttest(svyttest(I(api00 - api99) ~ 0, dclus1)),
  gaussian = glmout(svyglm(api00 ~ ell + meals + mobility, dclus1))
)

dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
clus2 <- list(mean_api00 = est(svymean(~api00, dclus2)), total_enroll = est(svytotal(~enroll, dclus2, na.rm = TRUE)),
              degf = degf(dclus2))

s1 <- apisrs; s1$wave <- 1; s1$psu <- paste0("s", s1$snum); s1$str <- "srs"
s2 <- apistrat; s2$wave <- 2; s2$psu <- paste0("t", s2$snum); s2$str <- paste0("strat", s2$stype)
s3 <- apiclus1; s3$wave <- 3; s3$psu <- paste0("c", s3$dnum); s3$str <- "clus"
cols <- c("sch.wide", "wave", "psu", "str", "pw")
stacked <- rbind(s1[, cols], s2[, cols], s3[, cols])
stacked$yes <- as.numeric(stacked$sch.wide == "Yes")
dwaves <- svydesign(id = ~psu, strata = ~str, weights = ~pw, data = stacked, nest = TRUE)
byw <- svyby(~yes, ~wave, dwaves, svymean)
slope <- svyglm(yes ~ wave, dwaves, family = quasibinomial)
fw <- svyglm(yes ~ factor(wave), dwaves, family = quasibinomial)
rt <- regTermTest(fw, ~factor(wave))
waves <- list(
  by_wave = setNames(lapply(1:3, function(i) unname(c(coef(byw)[i], SE(byw)[i]))), c("1", "2", "3")),
  slope = unname(coef(summary(slope))[2, ]),
  slope_df = slope$df.residual,
  wald_factor_wave = list(F = unname(rt$Ftest), df = unname(c(rt$df, rt$ddf)), p = unname(rt$p)),
  chisq = chisq(~sch.wide + wave, dwaves),
  degf = degf(dwaves)
)

alpha_out <- function(a) list(raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, G6 = a$total[["G6(smc)"]],
                              average_r = a$total$average_r, ase = a$total$ase, r_drop = a$item.stats$r.drop,
                              feldt = unname(unlist(a$feldt[c("lower.ci", "upper.ci")])))
n5 <- na.omit(bfi[16:20])
om <- suppressWarnings(omega(n5, nfactors = 1, plot = FALSE))
psy <- list(
  attitude = alpha_out(psych::alpha(attitude, warnings = FALSE)),
  bfi_N_complete = alpha_out(psych::alpha(n5, warnings = FALSE)),
  bfi_N_pairwise = alpha_out(psych::alpha(bfi[16:20], warnings = FALSE)),
  bfi_A_keys_A1 = alpha_out(psych::alpha(bfi[1:5], keys = "A1", warnings = FALSE)),
  bfi_C_keys_C4_C5 = alpha_out(psych::alpha(bfi[6:10], keys = c("C4", "C5"), warnings = FALSE)),
  feldt_074_100_4 = unname(unlist(alpha.ci(0.74, 100, 4)[c("lower.ci", "upper.ci")])),
  omega_total_minres = om$omega.tot,
  minres_loadings = as.numeric(fa(n5, 1, fm = "minres")$loadings)
)

mh <- mantelhaen.test(UCBAdmissions)
mh0 <- mantelhaen.test(UCBAdmissions, correct = FALSE)
d <- bfi[complete.cases(bfi[, c("A1", "A2", "A3", "A4", "A5", "gender")]), ]
rest <- (7 - d$A1) + d$A3 + d$A4 + d$A5
keep <- rest %in% as.numeric(names(which(table(rest) >= 2)))
dif <- mantelhaen.test(factor(d$A2[keep] >= 5), factor(d$gender[keep]), factor(rest[keep]))
base <- list(
  p_adjust = list(holm = p.adjust(c(.01, .02, .03, .04, .05, .20), "holm"),
                  BH = p.adjust(c(.01, .02, .03, .04, .05, .20), "BH")),
  mh_ucb = list(X2_correct = unname(mh$statistic), X2_nocorrect = unname(mh0$statistic), p_correct = mh$p.value,
                OR_MH = unname(mh$estimate), ci = as.numeric(mh$conf.int)),
  mh_dif_A2 = list(n = sum(keep), X2 = unname(dif$statistic), p = dif$p.value, OR_MH = unname(dif$estimate),
                   MH_D_DIF = -2.35 * log(unname(dif$estimate)), ci = as.numeric(dif$conf.int))
)

out <- list(R = R.version.string, survey_version = as.character(packageVersion("survey")),
            psych_version = as.character(packageVersion("psych")),
            dstrat = strat, dclus1 = clus1, dclus2 = clus2, waves = waves, psych = psy, base = base)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "local-reference.json")
