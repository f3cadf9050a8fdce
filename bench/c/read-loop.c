/*
 * Reference for `npm run bench -- read`: the same reads as the Node benchmark, straight through
 * openslide_read_region in a C loop, so the binding's overhead is a measured ratio.
 *
 * usage: read-loop SLIDE POSITIONS_FILE WARMUP_COUNT SIZE_PX LEVEL
 * POSITIONS_FILE holds one "level0X level0Y" pair per line; the first WARMUP_COUNT lines warm the page
 * cache and are not timed. Prints one JSON object for the timed reads:
 * {"patches": n, "seconds": wall, "cpuSeconds": own CPU, "otherCores": CPU used by other processes}.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <openslide.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Busy CPU time of the whole machine so far, in clock ticks (Linux /proc/stat); -1 if unknown. */
static long long busy_ticks(void) {
  FILE *stat = fopen("/proc/stat", "r");
  if (stat == NULL) return -1;
  long long user, nice, system, idle, iowait, irq, softirq, steal;
  const int n = fscanf(stat, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &user, &nice, &system, &idle,
                       &iowait, &irq, &softirq, &steal);
  fclose(stat);
  return n == 8 ? user + nice + system + irq + softirq + steal : -1;
}

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "read-loop: %s: %s\n", what, detail);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: read-loop SLIDE POSITIONS_FILE WARMUP_COUNT SIZE_PX LEVEL\n");
    return 2;
  }
  const char *path = argv[1];
  const long warmup = strtol(argv[3], NULL, 10);
  const int64_t size = strtoll(argv[4], NULL, 10);
  const int32_t level = (int32_t)strtol(argv[5], NULL, 10);

  FILE *file = fopen(argv[2], "r");
  if (file == NULL) return fail(argv[2], "cannot open the positions file");
  size_t capacity = 1024, count = 0;
  int64_t *xy = malloc(capacity * 2 * sizeof *xy);
  while (xy != NULL && fscanf(file, "%" SCNd64 " %" SCNd64, &xy[2 * count], &xy[2 * count + 1]) == 2) {
    if (++count == capacity) {
      capacity *= 2;
      xy = realloc(xy, capacity * 2 * sizeof *xy);
    }
  }
  fclose(file);
  if (xy == NULL || (long)count <= warmup) return fail(argv[2], "not enough positions");

  openslide_t *osr = openslide_open(path);
  if (osr == NULL) return fail(path, "not a file that OpenSlide can recognize");
  if (openslide_get_error(osr) != NULL) return fail(path, openslide_get_error(osr));

  uint32_t *dest = malloc((size_t)(size * size) * sizeof *dest);
  if (dest == NULL) return fail(path, "out of memory");
  double start = 0;
  clock_t cpu_start = 0;
  long long busy_start = 0;
  for (size_t i = 0; i < count; i++) {
    if (i == (size_t)warmup) {
      start = now_seconds();
      cpu_start = clock();
      busy_start = busy_ticks();
    }
    openslide_read_region(osr, dest, xy[2 * i], xy[2 * i + 1], level, size, size);
    if (openslide_get_error(osr) != NULL) return fail(path, openslide_get_error(osr));
  }
  const double seconds = now_seconds() - start;
  const double cpu_seconds = (double)(clock() - cpu_start) / CLOCKS_PER_SEC;
  const long long busy_end = busy_ticks();
  const double other_cores =
      busy_start < 0 || busy_end < 0
          ? -1
          : ((double)(busy_end - busy_start) / (double)sysconf(_SC_CLK_TCK) - cpu_seconds) / seconds;
  printf("{\"patches\": %ld, \"seconds\": %.6f, \"cpuSeconds\": %.6f, \"otherCores\": %.3f}\n",
         (long)count - warmup, seconds, cpu_seconds, other_cores);

  free(dest);
  free(xy);
  openslide_close(osr);
  return 0;
}
