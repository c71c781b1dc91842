/* What this build is (build/gen/version.c, made by the Makefile from git): the version
 * (git describe) and the last commit's date, mm/dd/yyyy, reproducible unlike __DATE__. */
#ifndef EFILITE_VERSION_H
#define EFILITE_VERSION_H

extern const char efilite_version[], efilite_date[];

#endif
