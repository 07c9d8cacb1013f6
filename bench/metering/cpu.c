// A CPU-heavy C workload for bench/metering.mjs: integer loops (sieve, CRC-32), floating point
// (an n-body step), recursion (fib), sorting (qsort with a callback) and memcpy-style bulk copies.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static unsigned crc32(const unsigned char *p, size_t n) {
  unsigned c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

int main(void) {
  static char sieve[2000000];
  int primes = 0;
  memset(sieve, 1, sizeof sieve);
  for (int i = 2; i < 2000000; i++)
    if (sieve[i]) {
      primes++;
      for (int j = 2 * i; j < 2000000; j += i) sieve[j] = 0;
    }
  double x[64], v[64];
  for (int i = 0; i < 64; i++) x[i] = i * 0.5, v[i] = 0;
  for (int step = 0; step < 300; step++)
    for (int i = 0; i < 64; i++) {
      double f = 0;
      for (int j = 0; j < 64; j++) if (i != j) { double d = x[j] - x[i]; f += d / (fabs(d) * d * d + 0.01); }
      v[i] += f * 0.001;
      x[i] += v[i] * 0.001;
    }
  int n = 300000;
  int *a = malloc(n * sizeof(int));
  unsigned s = 1;
  for (int i = 0; i < n; i++) { s = s * 1103515245u + 12345u; a[i] = (int)(s >> 4); }
  qsort(a, n, sizeof(int), cmp);
  unsigned char *buf = malloc(1 << 22);
  for (int i = 0; i < (1 << 22); i++) buf[i] = (unsigned char)(i * 31);
  for (int r = 0; r < 8; r++) memcpy(buf + (1 << 21), buf, 1 << 21);
  printf("primes %d x0 %.6f sorted %d fib %u crc %08x\n", primes, x[0], a[n / 2], fib(27), crc32(buf, 1 << 22));
  return 0;
}
