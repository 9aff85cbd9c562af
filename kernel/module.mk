# kernel/: the fix series (see kernel/README.md).
