/*
 * pn_limits.h - every count and length Panoptes accepts from the outside,
 * named in one place.  Configurable ones are defaults: the config value
 * (docs/CONFIG.md) wins.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_PN_LIMITS_H
#define PN_PN_LIMITS_H

/* HTTP */
#define PN_HTTP_MAX_UPLOAD_DEFAULT   (650ULL << 20) /* [limits] max_upload: bytes */
#define PN_HTTP_MAX_JSON_BODY        (1u << 20)     /* JSON request bodies */
#define PN_HTTP_MAX_URL              8192           /* request target length */
#define PN_HTTP_MAX_HEADER_BYTES     32768          /* MHD connection memory */
#define PN_HTTP_MAX_DROP_SLACK       (16u << 20)    /* body read past an error before cutting */

/* multipart/form-data */
#define PN_MP_MAX_BOUNDARY           70     /* RFC 2046 §5.1.1 */
#define PN_MP_MAX_HEADER_BYTES       8192   /* one part's header block */
#define PN_MP_MAX_PARTS              64     /* parts in one body */
#define PN_MP_MAX_FIELD_VALUE        4096   /* a text field (password, url) */
#define PN_MP_MAX_FILENAME           1024   /* filename= parameter */

/* pagination */
#define PN_PAGE_DEFAULT              10
#define PN_PAGE_MAX                  40

/* store */
#define PN_NAMES_MAX                 256    /* distinct names kept per file */
/* Groups a contained file inherits visibility from (its parent's access rows). */
#define PN_ACCESS_MAX_GROUPS 256
#define PN_ANALYSIS_RESULT_MAX       (4u << 20) /* one engine result JSON from a child */

/* parsers */
#define PN_PARSE_MAX_EDGES           1000   /* relationships one file's parsers may add */

/* worker */
#define PN_JOB_TIMEOUT_DEFAULT_S     300    /* [worker] job_timeout */
#define PN_ENGINE_TIMEOUT_DEFAULT_S  60     /* [engines] timeout */
#define PN_JOB_MAX_ATTEMPTS          3      /* a job whose worker died this often fails */

#endif
