#ifndef MAWS_CLIBFUZZER_SHIM_H
#define MAWS_CLIBFUZZER_SHIM_H

// libFuzzer's driver entry point (compiler-rt, FuzzerInterface.h), declared here so that Swift
// calls it with the C calling convention. Only a -sanitize=fuzzer build links libFuzzer and calls
// it (maws-fuzz compiles the call only with -DMAWS_FUZZER).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
