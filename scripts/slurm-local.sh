#!/usr/bin/env bash
# A real one-node SLURM on this machine, for the SLURM test (recipe: ../shared/notes/slurm-local.md).
#   scripts/slurm-local.sh start    start munged, slurmctld and slurmd unless they run; wait for an idle node
#   scripts/slurm-local.sh stop     stop the daemons `start` started (by the PIDs it recorded)
#   scripts/slurm-local.sh status
# `start` is idempotent: daemons already running (another test's, or a real installation's) are reused;
# its last line says "started: …" or "reused the running daemons", so a caller stops only what it started. Needs root and Debian's slurm-wlm + munge. Exit 1 with the reason when
# SLURM cannot start.
set -euo pipefail

STATE=/run/pyddt-slurm-local          # PID files of the daemons this script started
CONF=/etc/slurm/slurm.conf
MARK='# written by pyddt scripts/slurm-local.sh'

fail() { echo "slurm-local: $*" >&2; exit 1; }
running() { pgrep -x "$1" >/dev/null 2>&1; }
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start() {
  [ "$(id -u)" = 0 ] || fail "must run as root (it starts munged, slurmctld and slurmd)"
  for c in munged munge unmunge slurmctld slurmd sbatch sinfo scontrol; do
    command -v "$c" >/dev/null || fail "$c not found: install the Debian packages slurm-wlm and munge"
  done
  mkdir -p "$STATE"
  local host started=()
  host="$(hostname -s)"

  # munge: a key, its run folder, the daemon.
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  if ! munge_ok; then
    running munged && fail "munged runs but 'munge -n | unmunge' fails (see /var/log/munge/munged.log)"
    started+=(munged)
    su -s /bin/sh munge -c /usr/sbin/munged || fail "munged did not start (see /var/log/munge/munged.log)"
    cp /run/munge/munged.pid "$STATE/munged.pid" 2>/dev/null || pgrep -x munged | head -n1 > "$STATE/munged.pid"
    for _ in $(seq 50); do munge_ok && break; sleep 0.1; done
    munge_ok || fail "munge credentials do not verify ('munge -n | unmunge' fails)"
  fi

  # slurm.conf: ours unless the machine has its own.
  if [ ! -f "$CONF" ] || grep -qxF "$MARK" "$CONF"; then
    mkdir -p /etc/slurm
    cat > "$CONF" <<CONF
$MARK
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SwitchType=switch/none
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  fi
  mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm

  if ! running slurmctld; then
    started+=(slurmctld)
    slurmctld || fail "slurmctld did not start (see /var/log/slurm/slurmctld.log)"
  fi
  if ! running slurmd; then
    started+=(slurmd)
    slurmd || fail "slurmd did not start (see /var/log/slurm/slurmd.log)"
  fi

  # Wait for the node to be usable (bounded); bring it back if a previous stop left it down.
  local state=""
  for i in $(seq 60); do
    state="$(sinfo -h -N -o '%T' 2>/dev/null | head -n1 || true)"
    case "$state" in
      idle|mixed|allocated|completing)
        echo "slurm-local: node $host is $state; ${started[*]:+started: ${started[*]}}${started[*]:-reused the running daemons}"
        return 0 ;;
      down*|drain*|fail*) [ $((i % 5)) = 0 ] && scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  fail "the node did not become idle within 30 s (sinfo says '${state:-nothing}'; see /var/log/slurm/slurmctld.log and slurmd.log)"
}

stop() {
  # Only what this script started, by the PIDs it recorded; slurmd before slurmctld before munged.
  for d in slurmd slurmctld munged; do
    local f="$STATE/$d.pid"
    [ -s "$f" ] || continue
    local pid
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$d" ]; then
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$f"
  done
}

status() {
  for d in munged slurmctld slurmd; do
    if running "$d"; then echo "$d: running"; else echo "$d: not running"; fi
  done
  sinfo 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
