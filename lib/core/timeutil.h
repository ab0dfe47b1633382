/* Clock helpers: wall-clock seconds/milliseconds and a monotonic millisecond counter. */
#pragma once

#include <stdint.h>

int64_t time_now_s(void);
int64_t time_now_ms(void);
int64_t time_mono_ms(void);
void time_sleep_ms(int64_t ms);
