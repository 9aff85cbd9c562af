# The BPF programs, compiled with clang's BPF target and embedded in
# gemsoakd as a libbpf skeleton (bpftool gen skeleton): no file to find
# at run time. The struct fields they read are relocated against the
# running kernel's BTF (CO-RE), so nothing of the build machine's kernel
# is needed: they build on a fresh machine without a VM.
BPF_CLANG ?= clang
BPFTOOL   ?= $(firstword $(wildcard /usr/sbin/bpftool) bpftool)
# The uapi headers (asm/types.h) of the host's multiarch directory.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I. \
              -I/usr/include/$(shell $(CC) -dumpmachine)

$(B)/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h | build-deps
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(B)/gen/%.skel.h: $(B)/bpf/%.bpf.o
	@mkdir -p $(dir $@)
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp
	mv $@.tmp $@

$(B)/obj/sources/origins.o: $(B)/gen/origins.skel.h
all: $(B)/gen/origins.skel.h
