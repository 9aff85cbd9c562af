#!/bin/sh
gemsoakd -c /mnt/share/test.conf --database /tmp/gs.db --duration 25
echo status $?
cp /tmp/gs.db /mnt/share/gs.db
