/* A stop token: one thread fires it, and every thread sleeping on it wakes at once, whether it
 * sleeps in stopper_sleep_ms or polls stopper_fd next to its own descriptors. Firing is
 * one-way and idempotent. Thread-safe; stopper_fire is also async-signal-safe. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct stopper;

/* Creates an unfired stopper. Returns 0, -ENOMEM, or -EMFILE/-ENFILE (no descriptor left). */
int stopper_new(struct stopper **ret);

/* Frees it; no thread may still be using it. Accepts NULL. */
void stopper_free(struct stopper *s);

/* Fires: from now on stopper_fired is true, stopper_fd is readable and every sleep returns
 * -ECANCELED, including those already in progress. */
void stopper_fire(struct stopper *s);

bool stopper_fired(const struct stopper *s);

/* A descriptor that becomes readable (POLLIN) when s fires and stays readable: poll it, never
 * read or close it. Owned by s. */
int stopper_fd(const struct stopper *s);

/* Sleeps ms milliseconds (monotonic; <= 0 does not sleep) unless s fires. Returns 0 after the
 * full sleep, or -ECANCELED as soon as s has fired (also when it had fired before the call). */
int stopper_sleep_ms(const struct stopper *s, int64_t ms);
