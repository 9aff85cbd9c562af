/* DRM master and the authentication handshake, as a display server and
 * its DRI2 clients use them on a primary node. Each helper returns 0 or
 * -errno, like device/gem.h. */
#ifndef GS_MASTER_H
#define GS_MASTER_H

#include <stdbool.h>
#include <stdint.h>

int master_set(int fd);
int master_drop(int fd);
/* The client's side: a magic token for the master to authenticate. */
int master_get_magic(int fd, uint32_t *magic);
/* The master's side: authenticate the client file that got `magic`. */
int master_auth_magic(int fd, uint32_t magic);
bool master_is_held(int fd);
/* Can this open file become master and give it up again? Leaves it
 * without master. */
bool master_probe(int fd);
/* A client does not keep master: drop it if opening the node made this
 * file master (the first opener of a primary node becomes master). */
void master_release_if_held(int fd);

#endif
