/* Replays fuzz inputs without libFuzzer, so `make test` runs every corpus as a regression test
 * in the gcc builds (normal and ASan). Each argument is a file or a directory whose regular
 * files (sorted, not recursive) are fed to LLVMFuzzerTestOneInput one at a time. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#define REPLAY_INPUT_MAX ((size_t)16 << 20) /* far above any corpus file; refuses stray data */

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = malloc(REPLAY_INPUT_MAX);
    size_t n = buf ? fread(buf, 1, REPLAY_INPUT_MAX, f) : 0;
    int bad = !buf || ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: unreadable or larger than %zu bytes\n", path,
                REPLAY_INPUT_MAX);
        free(buf);
        return -1;
    }
    /* Named before it runs: a sanitizer report then follows the name of its input. */
    printf("replay: %s (%zu bytes)\n", path, n);
    fflush(stdout);
    /* An exact-size copy lets ASan catch a read one past the input's end. */
    uint8_t *input = malloc(n ? n : 1);
    FUZZ_ASSERT(input != NULL);
    memcpy(input, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(input, n);
    free(input);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int only_visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Returns the number of inputs replayed, or -1. */
static int replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path) < 0 ? -1 : 1;
    struct dirent **names = NULL;
    int n = scandir(path, &names, only_visible, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
        if (count >= 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode))
            count = replay_file(file) < 0 ? -1 : count + 1;
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    int total = 0;
    for (int i = 1; i < argc; i++) {
        int n = replay_path(argv[i]);
        if (n < 0)
            return 1;
        total += n;
    }
    /* An empty corpus would make a test that cannot fail. */
    if (total == 0) {
        fprintf(stderr, "replay: no input found in the given paths\n");
        return 1;
    }
    printf("replay: %d inputs, no failure\n", total);
    return 0;
}
