/*
 * cli.h - subcommands of the muster binary other than `serve`; each takes
 * its arguments after the subcommand name and returns the exit status.
 */
#ifndef MUSTER_CLI_H
#define MUSTER_CLI_H

#include "../util/config.h"

/* muster import [--format F] [--image REF] FILE... : store reports. */
int cli_import(const config *cfg, int argc, char **argv);

/*
 * muster export KIND [OPTIONS] : write a FedRAMP deliverable to a file.
 * argv[0] is the kind ("inventory"); the options after it belong to that
 * kind. templates_dir holds the workbook layouts. Returns the exit status
 * (0 done, 1 failed, 2 usage).
 */
int cli_export(const config *cfg, const char *templates_dir, int argc, char **argv);

/* muster export poam [...] (export_poam.c): the POA&M workbook, CSV or
 * OSCAL; argv[0] is the first option after "poam". */
int cli_export_poam(const config *cfg, const char *templates_dir, int argc, char **argv);
/* muster poam evaluate (export_poam.c): the full POA&M evaluation. */
int cli_poam(const config *cfg, int argc, char **argv);

/* muster kev import FILE (kev.c): replace the CISA KEV catalog. */
int cli_kev(const config *cfg, int argc, char **argv);

/*
 * muster demo [--scale N] [--days D] [--seed S] [--verbose] (demo.c):
 * migrate, then fill an EMPTY database with a generated system through
 * the same service and store functions as the API; a database that holds
 * an inventory is left alone (a message, exit status 0, so that
 * scripts/run --demo can run again). Returns the exit status (0 done or
 * nothing to do, 1 failed, 2 usage).
 */
int cli_demo(const config *cfg, const char *schema_dir, int argc, char **argv);

#endif
