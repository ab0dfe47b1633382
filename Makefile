# Top-level entry points. `make test` and `make demo` work on a fresh Debian 12 machine.
BUILD      ?= build
JOBS       ?= $(shell nproc)
RELEASE    := $(BUILD)/release
ASAN       := $(BUILD)/asan
FUZZ       := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
SOURCES     = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null)

.PHONY: all deps build build-asan build-fuzz test fuzz unit integration format format-check images demo \
        bench clean

all: build

deps:
	@scripts/install-deps.sh

$(RELEASE)/CMakeCache.txt: | deps
	cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(ASAN)/CMakeCache.txt: | deps
	cmake -S . -B $(ASAN) -DPOP_SANITIZE=ON >/dev/null

build: $(RELEASE)/CMakeCache.txt
	cmake --build $(RELEASE) -j $(JOBS)

build-asan: $(ASAN)/CMakeCache.txt
	cmake --build $(ASAN) -j $(JOBS)

$(FUZZ)/CMakeCache.txt: | deps
	cmake -S . -B $(FUZZ) -DPOP_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null

build-fuzz: $(FUZZ)/CMakeCache.txt
	cmake --build $(FUZZ) -j $(JOBS)

format:
	clang-format -i $(SOURCES)

format-check: deps
	@clang-format --dry-run -Werror $(SOURCES) && echo "format: clean"

images: deps build
	images/build.sh $(RELEASE)

# Every test, under the normal build and under ASan+UBSan.
test: deps format-check build build-asan images
	scripts/run-tests.sh $(RELEASE) $(ASAN)

# Each libFuzzer target for FUZZ_SECONDS on its corpus tests/fuzz/<target>/ (FUZZ_TARGETS="json
# jwt" picks some); the corpus is minimised afterwards. `make test` replays the corpora.
fuzz: build-fuzz
	scripts/fuzz.sh $(FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

demo: deps build images
	scripts/demo.sh

bench: deps build images
	bench/run.sh $(RELEASE)

clean:
	rm -rf $(BUILD)
