/* shadow.c - sandbox sample: reads /etc/shadow (T1003.008) and prints it. SPDX-License-Identifier: MIT */
#include <stdio.h>
int main(void)
{
	char line[512];
	FILE *f = fopen("/etc/shadow", "r");
	if (f == NULL)
		return 1;
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
	return 0;
}
