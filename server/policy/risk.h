/*
 * risk.h - FedRAMP risk ratings and remediation windows (RULES.md 4, 5).
 * Pure functions: no I/O.
 */
#ifndef MUSTER_RISK_H
#define MUSTER_RISK_H

#include "../ingest/scan_model.h"

typedef enum risk_rating {
	RISK_LOW = 1,
	RISK_MODERATE = 2,
	RISK_HIGH = 3
} risk_rating;

/* Original risk rating: CVSS v3 base score, else v2, else the scanner's
 * severity (CRITICAL/HIGH -> High, MEDIUM -> Moderate, the rest Low). */
risk_rating risk_of_finding(const ms_finding *f);
/* Rating of a score in 0.1..10 (High 7.0+, Moderate 4.0+, else Low). */
risk_rating risk_of_score(double score);
const char *risk_name(risk_rating r);            /* "High", "Moderate", "Low" */
int risk_from_name(const char *s, risk_rating *out);  /* 0 or -1 */
/* Days allowed to remediate: 30 High, 90 Moderate, 180 Low. */
int risk_remediation_days(risk_rating r);
/* The weakness a finding tracks: its ID when it is a CVE, else its first
 * CVE alias, else its ID (RULES.md 4). Borrowed pointer. */
const char *risk_weakness(const ms_finding *f);

#endif
