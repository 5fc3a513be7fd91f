# The two commands of the README:
#   make run   installs what is missing, builds Release, serves on 127.0.0.1:8080
#   make test  installs what is missing, builds, runs every test suite
# Everything else here is a building block of those two.

JOBS        ?= $(shell nproc)
BUILD_DIR   ?= build/release
ASAN_DIR    ?= build/asan
FUZZ_DIR    ?= build/fuzz
FUZZ_SECONDS ?= 600
HOST        ?= 127.0.0.1
PORT        ?= 8080
DATA_DIR    ?= ./modelhost-data
CMAKE_FLAGS ?=

export CCACHE_DIR ?= $(HOME)/.cache/ccache

.PHONY: all deps build build-asan build-fuzz run test test-unit-asan fuzz fuzz-smoke format \
        format-check bench clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DMODELHOST_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)

# libFuzzer targets (clang, ASan + UBSan); see fuzz/run.sh.
build-fuzz: deps
	@cmake -S . -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMODELHOST_FUZZ=ON -DMODELHOST_BUILD_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets

# Each fuzz target for FUZZ_SECONDS (default 10 minutes).
fuzz: build-fuzz
	fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The regression check inside `make test`: 20 s per target.
fuzz-smoke: build-fuzz
	@fuzz/run.sh $(FUZZ_DIR) 20

run: build
	exec $(BUILD_DIR)/modelhost serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

format-check: deps
	@git ls-files '*.h' '*.cc' | xargs clang-format --dry-run --Werror
	@echo "format-check: ok"

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
test-unit-asan: build-asan
	@cd $(ASAN_DIR) && ctest -L unit --output-on-failure -j $(JOBS)

# The Release suite runs last so that its summary line is the last thing printed.
test: format-check test-unit-asan fuzz-smoke build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Every benchmark with a goal (bench/README.md); each runs even when an earlier
# one misses its goal, and the exit status says whether any did. bench/blas is
# a one-off measurement behind a dependency choice, run by hand.
BENCHES ?= http_hello nn ingest transform batcher predict
bench: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DMODELHOST_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@worst=0; for bench in $(BENCHES); do \
	  bench/$$bench/run.sh $(BUILD_DIR); status=$$?; \
	  [ $$status -gt $$worst ] && worst=$$status; \
	done; exit $$worst

clean:
	rm -rf build
