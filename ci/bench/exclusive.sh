#!/usr/bin/env bash
# Runs a command in a session of its own whose scheduler autogroup has nice -20,
# so that on a machine shared with other jobs (each in its own autogroup at nice 0)
# the command gets nearly all of the cores when it wants them: the wall-time
# figures of BENCHMARKS.md's issue 17 runs were measured so. Needs root (or
# CAP_SYS_NICE) and a kernel with autogroups (/proc/sys/kernel/sched_autogroup_enabled);
# elsewhere the command runs as it would without this wrapper.
#
# usage: ci/bench/exclusive.sh COMMAND [ARG...]   e.g. ci/bench/exclusive.sh ci/bench.sh --quick
exec setsid bash -c 'echo -20 >/proc/self/autogroup 2>/dev/null ||
  echo "[exclusive] cannot raise the autogroup priority; running at the usual one" >&2
exec "$@"' exclusive "$@"
