/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel interface values that older C library headers may not define. */
#ifndef DAXPOLICY_KERNEL_ABI_H
#define DAXPOLICY_KERNEL_ABI_H

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U   /* Linux 6.8 */
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef FS_XFLAG_DAX
#define FS_XFLAG_DAX 0x00008000
#endif
#ifndef FS_XFLAG_REALTIME
#define FS_XFLAG_REALTIME 0x00000001
#endif

#endif
