/*
 * Test tool for xz-rs's LZ encoder layer (not part of the library).
 *
 * Drives liblzma's own LZ encoder layer -- lz_encode(), fill_window(), move_window() and
 * the match finders, linked from a static liblzma.a whose internal symbols are visible --
 * with a scripted stand-in for the LZMA encoder, and prints a trace of every find, skip
 * and code call. The Rust test `same_trace_as_liblzma` runs the same script through
 * `LzEncoder` and compares the traces line by line.
 *
 * The structures below restate the layout of liblzma's internal types on 64-bit targets
 * (lzma_mf, lzma_lz_options, lzma_lz_encoder, lzma_next_coder, lzma_filter_info), as in
 * XZ Utils 5.4 to 5.8.
 *
 * usage: liblzma_trace MODE DATA SCRIPT MF DICT NICE DEPTH BEFORE AFTER SEED OUT_SIZE TRACE ARG
 *   MODE trace: random finds and skips, ARG = initial offset (0 = liblzma's own)
 *   MODE bench: find everywhere, skip len-1 after matches longer than ARG; no trace
 *   SCRIPT lines: "R n" (run), "S n" (sync flush), "F n" (finish) with n more input bytes
 *   environment: PRESET_DICT=file loads a preset dictionary
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <stdbool.h>
#include <time.h>
#include <lzma.h>

typedef struct { uint32_t len, dist; } mf_match;
typedef struct mf_s mf_t;
struct mf_s {
	uint8_t *buffer;
	uint32_t size, keep_size_before, keep_size_after, offset, read_pos;
	uint32_t read_ahead, read_limit, write_pos, pending;
	uint32_t (*find)(mf_t *mf, mf_match *matches);
	void (*skip)(mf_t *mf, uint32_t num);
	uint32_t *hash, *son;
	uint32_t cyclic_pos, cyclic_size, hash_mask, depth, nice_len, match_len_max;
	lzma_action action;
	uint32_t hash_count, sons_count;
};
typedef struct {
	size_t before_size, dict_size, after_size, match_len_max, nice_len;
	lzma_match_finder match_finder;
	uint32_t depth;
	const uint8_t *preset_dict;
	uint32_t preset_dict_size;
} lz_options;
typedef struct {
	void *coder;
	lzma_ret (*code)(void *coder, mf_t *mf, uint8_t *out, size_t *out_pos, size_t out_size);
	void *end, *options_update, *set_out_limit;
} lz_encoder;
typedef lzma_ret (*code_fn)(void *coder, const lzma_allocator *allocator,
		const uint8_t *in, size_t *in_pos, size_t in_size,
		uint8_t *out, size_t *out_pos, size_t out_size, lzma_action action);
typedef struct {
	void *coder;
	lzma_vli id;
	uintptr_t init;
	code_fn code;
	void *end, *get_progress, *get_check, *memconfig, *update, *set_out_limit;
} next_coder;
typedef struct { lzma_vli id; void *init; void *options; } filter_info;

typedef lzma_ret (*lz_init_fn)(lz_encoder *lz, const lzma_allocator *allocator,
		lzma_vli id, const void *options, lz_options *opts);
extern lzma_ret lzma_lz_encoder_init(next_coder *next, const lzma_allocator *allocator,
		const filter_info *filters, lz_init_fn lz_init);
extern uint32_t lzma_mf_find(mf_t *mf, uint32_t *count, mf_match *matches);
extern uint64_t lzma_lz_encoder_memusage(const lz_options *opts);

static lz_options g_opts;
static bool g_bench;
static uint32_t g_arg;
static bool g_started;
static uint64_t g_rng;
static FILE *g_trace;
static uint64_t g_finds, g_sum;

static uint32_t rng_next(void)
{
	g_rng = g_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(g_rng >> 33);
}

static void skip(mf_t *mf, uint32_t k)
{
	if (k != 0) {
		mf->skip(mf, k);
		mf->read_ahead += k;
	}
}

static lzma_ret scripted_code(void *coder, mf_t *mf, uint8_t *out, size_t *out_pos, size_t out_size)
{
	(void)coder;
	mf_match m[274];
	if (!g_started) {
		g_started = true;
		if (!g_bench && g_arg != 0)
			mf->offset = g_arg;
	}
	while (*out_pos < out_size) {
		if (mf->read_pos >= mf->read_limit) {
			if (mf->action == LZMA_RUN)
				return LZMA_OK;
			if (mf->write_pos == mf->read_pos)
				return LZMA_STREAM_END;
		}
		uint32_t avail = mf->write_pos - mf->read_pos;
		if (g_bench) {
			uint32_t count;
			uint32_t len = lzma_mf_find(mf, &count, m);
			++g_finds;
			g_sum = g_sum * 31 + len * 7 + count + (count ? m[0].dist : 0);
			if (len > g_arg) {
				uint32_t k = len - 1, a = mf->write_pos - mf->read_pos;
				skip(mf, k < a ? k : a);
			}
		} else {
			uint32_t r = rng_next();
			if (r % 3 == 0) {
				uint32_t k = 1 + (r >> 8) % 20;
				if (k > avail)
					k = avail;
				skip(mf, k);
				fprintf(g_trace, "S %u\n", k);
			} else {
				uint32_t count;
				uint32_t len = lzma_mf_find(mf, &count, m);
				fprintf(g_trace, "F %u %u", count, len);
				for (uint32_t i = 0; i < count; ++i)
					fprintf(g_trace, " %u:%u", m[i].len, m[i].dist);
				fputc('\n', g_trace);
				if (len > 1 && (r & 0x100)) {
					uint32_t k = len - 1, a = mf->write_pos - mf->read_pos;
					if (k > a)
						k = a;
					skip(mf, k);
					fprintf(g_trace, "S %u\n", k);
				}
			}
		}
		mf->read_ahead = 0;
		out[(*out_pos)++] = 0;
	}
	return LZMA_OK;
}

static lzma_ret scripted_init(lz_encoder *lz, const lzma_allocator *a, lzma_vli id,
		const void *options, lz_options *opts)
{
	(void)a; (void)id; (void)options;
	lz->coder = &g_opts;
	lz->code = scripted_code;
	*opts = g_opts;
	return LZMA_OK;
}

int main(int argc, char **argv)
{
	if (argc != 14) {
		fprintf(stderr, "usage: see the comment at the top of liblzma_trace.c\n");
		return 2;
	}
	g_bench = strcmp(argv[1], "bench") == 0;
	FILE *fd = fopen(argv[2], "rb");
	if (fd == NULL)
		return 3;
	fseek(fd, 0, SEEK_END);
	long n = ftell(fd);
	rewind(fd);
	uint8_t *data = malloc(n + 1);
	if (fread(data, 1, n, fd) != (size_t)n)
		return 3;
	fclose(fd);
	g_opts.match_finder = strtoul(argv[4], 0, 0);
	g_opts.dict_size = strtoul(argv[5], 0, 0);
	g_opts.nice_len = strtoul(argv[6], 0, 0);
	g_opts.depth = strtoul(argv[7], 0, 0);
	g_opts.before_size = strtoul(argv[8], 0, 0);
	g_opts.after_size = strtoul(argv[9], 0, 0);
	g_opts.match_len_max = 273;
	g_rng = strtoull(argv[10], 0, 0);
	size_t out_size = strtoul(argv[11], 0, 0);
	g_trace = fopen(argv[12], "w");
	g_arg = strtoul(argv[13], 0, 0);
	if (g_trace == NULL)
		return 3;
	const char *preset = getenv("PRESET_DICT");
	if (preset != NULL && *preset != '\0') {
		FILE *fp = fopen(preset, "rb");
		if (fp == NULL)
			return 3;
		fseek(fp, 0, SEEK_END);
		long pn = ftell(fp);
		rewind(fp);
		uint8_t *pd = malloc(pn + 1);
		if (fread(pd, 1, pn, fp) != (size_t)pn)
			return 3;
		fclose(fp);
		g_opts.preset_dict = pd;
		g_opts.preset_dict_size = (uint32_t)pn;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);

	fprintf(g_trace, "M %llu\n", (unsigned long long)lzma_lz_encoder_memusage(&g_opts));
	next_coder next;
	memset(&next, 0, sizeof(next));
	filter_info fi[2] = { { 1, NULL, NULL }, { LZMA_VLI_UNKNOWN, NULL, NULL } };
	lzma_ret ret = lzma_lz_encoder_init(&next, NULL, fi, scripted_init);
	if (ret != LZMA_OK) {
		fprintf(g_trace, "INIT %d\n", ret);
		fclose(g_trace);
		return 0;
	}
	FILE *fs = fopen(argv[3], "r");
	if (fs == NULL)
		return 3;
	uint8_t *out = malloc(out_size ? out_size : 1);
	char act;
	size_t len, pos = 0;
	while (fscanf(fs, " %c %zu", &act, &len) == 2) {
		lzma_action a = act == 'R' ? LZMA_RUN : act == 'S' ? LZMA_SYNC_FLUSH : LZMA_FINISH;
		size_t in_pos = 0;
		while (true) {
			size_t out_pos = 0, before = in_pos;
			ret = next.code(next.coder, NULL, data + pos, &in_pos, len, out, &out_pos, out_size, a);
			if (!g_bench)
				fprintf(g_trace, "C %zu %zu %d\n", in_pos - before, out_pos, ret);
			if (ret != LZMA_OK || (a == LZMA_RUN && in_pos == len))
				break;
		}
		pos += len;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	if (g_bench)
		fprintf(stderr, "finds %llu sum %llu time %.3f\n", (unsigned long long)g_finds,
				(unsigned long long)g_sum,
				(double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fclose(g_trace);
	return 0;
}
