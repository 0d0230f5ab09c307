# The libraries bulletin's core is built from, shared by the main build and the
# fuzz build (fuzz/CMakeLists.txt), so both find exactly the same packages.
# Every dependency is a Debian package (see README); nothing is vendored or downloaded.
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)  # SHA-256 digests of published snapshots
pkg_check_modules(CMARK_GFM REQUIRED IMPORTED_TARGET libcmark-gfm)
find_library(CMARK_GFM_EXTENSIONS cmark-gfm-extensions REQUIRED)
find_path(KAINJOW_MUSTACHE_INCLUDE kainjow/mustache.hpp REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# Rankings: simdjson parses JSON Lines exports (libsimdjson-dev; the 1M-record
# benchmark is JSON parsing first), GMP is the exact fallback of decimal.h
# when a rational outgrows 128 bits (libgmp-dev).
pkg_check_modules(SIMDJSON REQUIRED IMPORTED_TARGET simdjson)
pkg_check_modules(GMPXX REQUIRED IMPORTED_TARGET gmpxx)
# .xlsx score exports are zips of XML parts, streamed natively (libzip + expat);
# index.xlsx beside each ranking's index.csv is written with libxlsxwriter.
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
pkg_check_modules(EXPAT REQUIRED IMPORTED_TARGET expat)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
# What a build compares only with its own earlier builds (source digests for
# the parse cache, page-input digests in the manifest, cache record checksums)
# is hashed with XXH3 (libxxhash-dev): SHA-256 of the sources alone was ~5 %
# of a cold 10k build's CPU; XXH3 is ~20x faster. Published records keep SHA-256.
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
# The bulletin binary allocates with jemalloc (libjemalloc-dev): glibc's malloc
# spent a third of a 100k-post load in _int_malloc/consolidation across the
# pool's arenas (bench/README.md, issue 16).
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)

# Everything the core layers (util … render) link, for builds that compile
# them as one library (the fuzz targets).
set(BULLETIN_CORE_LIBS nlohmann_json::nlohmann_json yaml-cpp Threads::Threads OpenSSL::Crypto PkgConfig::XXHASH
    PkgConfig::CMARK_GFM ${CMARK_GFM_EXTENSIONS} PkgConfig::SIMDJSON PkgConfig::GMPXX
    PkgConfig::LIBZIP PkgConfig::EXPAT PkgConfig::XLSXWRITER)
