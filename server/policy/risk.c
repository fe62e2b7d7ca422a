/*
 * risk.c - risk ratings, remediation windows and weakness identity.
 */
#include "risk.h"

#include <string.h>
#include <strings.h>

risk_rating risk_of_score(double score)
{
	if (score >= 7.0)
		return RISK_HIGH;
	if (score >= 4.0)
		return RISK_MODERATE;
	return RISK_LOW;
}

risk_rating risk_of_finding(const ms_finding *f)
{
	if (f->cvss3_score > 0.0 && f->cvss3_score <= 10.0)
		return risk_of_score(f->cvss3_score);
	if (f->cvss2_score > 0.0 && f->cvss2_score <= 10.0)
		return risk_of_score(f->cvss2_score);
	switch (f->severity) {
	case MS_SEV_CRITICAL:
	case MS_SEV_HIGH:
		return RISK_HIGH;
	case MS_SEV_MEDIUM:
		return RISK_MODERATE;
	default:
		return RISK_LOW;
	}
}

const char *risk_name(risk_rating r)
{
	switch (r) {
	case RISK_HIGH: return "High";
	case RISK_MODERATE: return "Moderate";
	default: return "Low";
	}
}

int risk_from_name(const char *s, risk_rating *out)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "High") || !strcasecmp(s, "Critical"))
		*out = RISK_HIGH;
	else if (!strcasecmp(s, "Moderate") || !strcasecmp(s, "Medium"))
		*out = RISK_MODERATE;
	else if (!strcasecmp(s, "Low"))
		*out = RISK_LOW;
	else
		return -1;
	return 0;
}

int risk_remediation_days(risk_rating r)
{
	switch (r) {
	case RISK_HIGH: return 30;
	case RISK_MODERATE: return 90;
	default: return 180;
	}
}

static int is_cve(const char *s)
{
	return s && strncasecmp(s, "CVE-", 4) == 0;
}

const char *risk_weakness(const ms_finding *f)
{
	size_t i;

	if (is_cve(f->vuln_id))
		return f->vuln_id;
	for (i = 0; i < f->aliases.n; i++)
		if (is_cve(f->aliases.items[i]))
			return f->aliases.items[i];
	return f->vuln_id;
}
