#!/bin/bash
# start_slurm.sh WORK -- a single-node SLURM cluster on this machine, for
# tests/cluster/run_slurm.sh: munged, MariaDB, slurmdbd (accounting, so that
# sacct works), slurmctld and slurmd, every file under WORK and every daemon
# started by PID (WORK/pids lists them for stop_slurm.sh), detached from
# this script's output.  Prints the SLURM_CONF to export.  Needs root; installs the Debian packages if absent.
set -euo pipefail
WORK=$1
mkdir -p "$WORK"/{state,spool,db,log}
: > "$WORK/pids"

need=()
for cmd in sbatch slurmctld slurmd slurmdbd munged mariadbd sacctmgr; do
    command -v "$cmd" > /dev/null || need+=("$cmd")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "start_slurm: installing slurm-wlm slurmdbd munge mariadb-server (missing: ${need[*]})" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q > "$WORK/log/apt.log" 2>&1
    apt-get install -y -q slurm-wlm slurmdbd munge mariadb-server >> "$WORK/log/apt.log" 2>&1
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
    local t=$1 what=$2; shift 2
    for _ in $(seq $((t * 10))); do "$@" > /dev/null 2>&1 && return 0; sleep 0.1; done
    echo "start_slurm: $what did not come up in ${t}s" >&2
    return 1
}
started() { echo "$1 $2" >> "$WORK/pids"; } # NAME PID

# munge on its default socket (the Slurm clients talk to slurmdbd through it):
# a munged already running there is used as it is
MUNGE_SOCKET=/run/munge/munge.socket.2
if ! { [ -S "$MUNGE_SOCKET" ] && munge -n | unmunge > /dev/null 2>&1; }; then
    if [ ! -s /etc/munge/munge.key ]; then
        echo "start_slurm: /etc/munge/munge.key is missing (the munge package makes it)" >&2
        exit 1
    fi
    if [ ! -d /run/munge ]; then
        mkdir -p /run/munge
        echo /run/munge > "$WORK/made_dirs"
    fi
    /usr/sbin/munged -F --force --pid-file="$WORK/munged.pid" --log-file="$WORK/log/munged.log" \
        --seed-file="$WORK/munged.seed" < /dev/null > "$WORK/log/munged.out" 2>&1 &
    started munged $!
    wait_for 10 munged test -S "$MUNGE_SOCKET"
fi

# MariaDB for slurmdbd, in WORK, on a loopback port
DB_PORT=$(free_port)
mariadb-install-db --datadir="$WORK/db" --user=root --auth-root-authentication-method=normal \
    > "$WORK/log/mariadb-install.log" 2>&1
mariadbd --datadir="$WORK/db" --user=root --port="$DB_PORT" --bind-address=127.0.0.1 \
    --innodb-buffer-pool-size=128M --innodb-lock-wait-timeout=900 \
    --socket="$WORK/mysql.sock" --pid-file="$WORK/mariadb.pid" --log-error="$WORK/log/mariadb.log" \
    < /dev/null > "$WORK/log/mariadb.out" 2>&1 &
started mariadbd $!
wait_for 30 MariaDB mariadb --socket="$WORK/mysql.sock" -e 'select 1'
mariadb --socket="$WORK/mysql.sock" -e "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'dormscan';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;"

NODE=$(hostname -s)
MEM=$(free -m | awk '/^Mem:/ {print $2}')
CPUS=$(nproc)
DBD_PORT=$(free_port)
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
cat > "$WORK/slurm.conf" <<EOF
ClusterName=dormscan
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=1
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_interval=1
KillWait=5
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
cat > "$WORK/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=$NODE
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=dormscan
StorageLoc=slurm_acct_db
PidFile=$WORK/slurmdbd.pid
LogFile=$WORK/log/slurmdbd.log
EOF
chmod 600 "$WORK/slurmdbd.conf"
export SLURM_CONF=$WORK/slurm.conf

slurmdbd -D < /dev/null > "$WORK/log/slurmdbd.out" 2>&1 &
started slurmdbd $!
wait_for 30 slurmdbd sacctmgr -n show cluster
sacctmgr -i add cluster dormscan > /dev/null
sacctmgr -i add account dormscan Description=tests Organization=dormscan > /dev/null
sacctmgr -i add user root Account=dormscan DefaultAccount=dormscan > /dev/null

slurmctld -D < /dev/null > "$WORK/log/slurmctld.out" 2>&1 &
started slurmctld $!
slurmd -D -N "$NODE" < /dev/null > "$WORK/log/slurmd.out" 2>&1 &
started slurmd $!
idle() { sinfo -h -o %t | grep -qx idle; }
wait_for 60 "the node (sinfo idle)" idle
echo "$SLURM_CONF"
