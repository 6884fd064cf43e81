#!/bin/bash
# stop_slurm.sh WORK -- stop the daemons start_slurm.sh started (by the PIDs
# in WORK/pids, last started first), wait for them to end, and remove the
# directories it made outside WORK.
WORK=$1
if [ -f "$WORK/pids" ]; then
    tac "$WORK/pids" | while read -r name pid; do
        kill -TERM "$pid" 2> /dev/null || continue
        for _ in $(seq 100); do
            kill -0 "$pid" 2> /dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2> /dev/null && echo "stop_slurm: $name ($pid) needed SIGKILL" >&2
    done
fi
if [ -f "$WORK/made_dirs" ]; then # (an empty /run/munge)
    while read -r d; do rmdir "$d" 2> /dev/null; done < "$WORK/made_dirs"
fi
exit 0
