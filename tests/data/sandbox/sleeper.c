/* sleeper.c - sandbox sample: sleeps an hour, then spins; the wall clock must end it. SPDX-License-Identifier: MIT */
#include <unistd.h>
int main(void)
{
	volatile unsigned long n = 0;
	sleep(3600);
	for (;;)
		n++;
}
