#!/bin/sh
# Print the reliability figures of the latest `make check` as a Markdown
# table (for docs/RELIABILITY.md), from the test logs in build/tests/logs.
set -eu
logs=${1:-build/tests/logs}
line() { grep -h "$2" "$logs/tests_integration_$1.log" 2>/dev/null | tail -n 1; }
echo "| test | figure |"
echo "|---|---|"
echo "| vm-crash-safety | $(line vm-crash-safety.sh 'kills survived') |"
echo "| vm-process-group | $(line vm-process-group.sh 'process groups:') |"
echo "| vm-fault-storm | $(line vm-fault-storm.sh 'signals for') |"
echo "| vm-fault-storm | $(line vm-fault-storm.sh 'daemon peaks') |"
echo "| vm-worker-restart | $(grep -c "worker-restart|" "$logs/tests_integration_vm-worker-restart.sh.log" 2>/dev/null || echo 0) restarts (SIGSEGV, SIGKILL, SIGSTOP hang) |"
echo "| model-device-vanish | $(line model-device-vanish.sh '^device vanish:' | sed 's/^device vanish: //') |"
echo "| model-proc-walk | $(line model-proc-walk.sh "^links read and files stat'ed:" | sed "s/^links read and files stat'ed: //") |"
echo "| model-proc-walk | $(line model-proc-walk.sh '^  rounds without' | sed 's/^ *//') |"
echo "| bench-cleanup | $(line bench-cleanup.sh '^after SIGTERM') |"
echo "| model-reload | $(line model-reload.sh '^reload storm:' | sed 's/^reload storm: //') |"
echo "| model-limits | $(line model-limits.sh '^RLIMIT_NOFILE 1000:') |"
echo "| model-x-restart | $(line model-x-restart.sh '^x-restart command:' | sed 's/^x-restart command: //') |"
echo "| model-ioctl-faults | $(line model-ioctl-faults.sh '^ioctl faults:' | sed 's/^ioctl faults: //') |"
echo "| gate | $(line gate.sh '^gate: leak' | sed 's/^gate: //') |"
echo "| merge | $(line merge.sh '^run 2: partial copy' | sed 's/^run 2: //') |"
echo "| model-rate | $(line model-rate.sh '^model-rate:' | sed 's/^model-rate: //') |"
echo "| vm-valgrind | $(line vm-valgrind.sh 'ERROR SUMMARY' | sed 's/^ *==[0-9]*== //'); $(line vm-valgrind.sh 'in use at exit' | sed 's/^ *==[0-9]*== //') |"
grep -h '^fuzz-.*: Done' "$logs/tests_integration_fuzz-short.sh.log" 2>/dev/null |
	sed 's/^/| fuzz-short | /; s/$/ |/'
