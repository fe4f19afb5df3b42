# config.mk - compiler, flags and the Debian libraries Panoptes links,
# found once with pkg-config.  Override on the command line:
#   make CC=clang SANITIZE=1

CC       ?= cc
CXX      ?= c++
PKG_CONFIG ?= pkg-config

# Libraries with a .pc file.
PKGS     := libmicrohttpd json-c sqlite3 libcrypto libmagic libclamav yara inih libseccomp zlib libarchive libpsl \
            libcurl libcares gumbo libmaxminddb
# Libraries without one.
LIBS_RAW := -lfuzzy -lpthread -lm

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
            -Wpointer-arith -Wcast-qual -Wsign-compare -Wno-unused-parameter
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT      ?= -O2 -g

ifeq ($(SANITIZE),1)
  BUILD  ?= build-asan
  OPT    := -O1 -g -fno-omit-frame-pointer
  SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
  HARDEN := -fPIE
else
  BUILD  ?= build
  SAN    :=
endif

ifeq ($(WERROR),1)
  WARN += -Werror
endif

CFLAGS   += -std=gnu11 $(OPT) $(WARN) $(HARDEN) $(SAN) -D_GNU_SOURCE -iquote . -iquote lib -iquote store -iquote engines -iquote analysis -iquote server -iquote parsers -iquote cli -iquote net -iquote sandbox $(PKG_CFLAGS)
LDFLAGS  += -pie -Wl,-z,relro,-z,now $(SAN)
LDLIBS   += $(PKG_LIBS) $(LIBS_RAW)
