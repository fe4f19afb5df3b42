/* memhog.c - sandbox sample: allocates and touches memory without end (memory limit). SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
int main(void)
{
	for (long i = 0; i < 8192; i++) {
		char *p = malloc(1 << 20);
		if (p == NULL)
			return 2;
		memset(p, (int)i, 1 << 20);
	}
	return 0;
}
