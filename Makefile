# The two commands in the README:
#   make run    install what is missing, build, and start the service on http://localhost:8080
#               (embedded stores under ./data; Ctrl-C drains and stops it)
#   make test   install what is missing, build (release + ASan/UBSan), run every test suite
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
DEMO_PROMPT ?= soulful private school amapiano, jazzy piano, deep log drums, 112 BPM in F\#m

.PHONY: all deps peers build build-asan run demo smoke test test-release test-asan fuzz bench terraform-check format format-check clean

all: build

deps:
	@bash scripts/install-deps.sh

peers: deps
	@bash scripts/install-peers.sh

# scripts/build.sh is also what the container image's build stage runs (deploy/Dockerfile).
build: deps
	JOBS=$(JOBS) bash scripts/build.sh release $(BUILD)

build-asan: deps
	JOBS=$(JOBS) bash scripts/build.sh asan $(ASAN_BUILD)

PORT ?= 8080
DATA_DIR ?= data

run: build
	$(BUILD)/amapiano serve --port $(PORT) --data-dir $(DATA_DIR)

# Render a demo track, MIDI and stems into out/ with the CLI.
demo: build
	mkdir -p out
	$(BUILD)/amapiano generate --prompt "$(DEMO_PROMPT)" --seed 7 \
	  -o out/demo.wav --midi out/demo.mid --stems out/demo-stems

# `amapiano smoke` (deploy/RUNBOOK.md's post-deploy check): against URL when given, otherwise against a
# service started for the purpose on a free loopback port with a throwaway data dir.
URL ?=
smoke: build
	@if [ -n "$(URL)" ]; then $(BUILD)/amapiano smoke "$(URL)"; else bash scripts/smoke-local.sh $(BUILD)/amapiano; fi

# terraform fmt/validate/test for deploy/terraform, offline; says SKIPPED when terraform is not installed.
terraform-check:
	bash scripts/check-terraform.sh

test: peers build build-asan test-release test-asan

test-release:
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The sanitizer run skips the slow checks by external tools (they test the release binary).
test-asan:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE external

# libFuzzer over the decode + analyse path (clang, ASan + UBSan), seeded with small reference files.
fuzz: deps
	CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMAPIANO_SANITIZE=ON \
	  -DAMAPIANO_BUILD_FUZZ=ON -DAMAPIANO_BUILD_TESTS=OFF -DAMAPIANO_BUILD_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target analyze_fuzz
	bash tests/fuzz/run.sh $(FUZZ_BUILD)/tests/fuzz/analyze_fuzz $(FUZZ_SECONDS)

bench: build peers
	$(BUILD)/bench/render_bench
	bash tests/integration/tempo_key_essentia.sh $(BUILD)/amapiano
	bash bench/analyze_vs_peers.sh $(BUILD)/amapiano
	bash bench/validate_time_split.sh $(BUILD)/amapiano
	bash bench/service_load.sh $(BUILD)/amapiano
	SERVICE_BACKEND=postgres-s3 bash bench/service_load.sh $(BUILD)/amapiano
	/usr/bin/python3 bench/migrate_copy.py $(BUILD)/amapiano

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

format-check:
	clang-format --dry-run --Werror $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) out
