/* A small block-style YAML emitter for the JSON documents the pop CLI prints: maps, lists and
 * scalars, quoting only the strings a YAML 1.1/1.2 reader would otherwise misread. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "core/strbuf.h"

/* Appends v as a YAML document to out: objects as "key: value" lines in their stored order,
 * arrays as "- item" lines, nested collections indented by two spaces, empty ones as {} and [].
 * Returns 0, -ENOMEM, -E2BIG (out's cap) or -ELOOP (nesting deeper than 32 levels). */
int yaml_emit(struct strbuf *out, const json_t *v);

/* True when the plain scalar s would not read back as the same string (empty, null/bool/number
 * look-alikes, indicator characters, ": " or " #", surrounding blanks, control characters). */
bool yaml_needs_quotes(const char *s);

/* Appends s as a YAML scalar: plain when possible, else single-quoted, or double-quoted with
 * escapes when it holds control characters. Returns 0, -ENOMEM or -E2BIG. */
int yaml_append_string(struct strbuf *out, const char *s);
