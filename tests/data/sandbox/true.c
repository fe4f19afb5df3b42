/* true.c - sandbox sample: does nothing (set-up/teardown timing). SPDX-License-Identifier: MIT */
int main(void) { return 0; }
