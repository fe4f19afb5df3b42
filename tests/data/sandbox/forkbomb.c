/* forkbomb.c - sandbox sample: forks without end; the pids limit must hold it. SPDX-License-Identifier: MIT */
#include <unistd.h>
int main(void) { for (;;) (void)fork(); }
