/*
 * cli.h - subcommands of the muster binary other than `serve`; each takes
 * its arguments after the subcommand name and returns the exit status.
 */
#ifndef MUSTER_CLI_H
#define MUSTER_CLI_H

#include "../util/config.h"

/* muster import [--format F] [--image REF] FILE... : store reports. */
int cli_import(const config *cfg, int argc, char **argv);

#endif
