# Build, test and install aft. `make run` is the first command on a fresh machine.

PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
MANDIR := $(PREFIX)/share/man/man1
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR := $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR := $(PREFIX)/share/fish/vendor_completions.d
DEBIAN_PACKAGES := libsqlite3-dev libedit-dev libhiredis-dev redis-server sqlite3 zsh fish groff man-db
RELEASE_BINARY := .build/release/aft
# apt-get needs root; use sudo when not root and sudo exists.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo)

.PHONY: all deps build run test install install-files uninstall clean

all: build

# Install the Debian packages the build and the tests need, when any is missing.
deps:
	@if ! dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1; then \
		echo "installing $(DEBIAN_PACKAGES)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	fi

# A fully static, stripped release binary: with no shared libraries to load and
# relocate, a one-shot command starts in about half the time. Static libedit
# needs its own dependencies named after it.
STATIC_FLAGS := -Xswiftc -static-executable -Xlinker -ltinfo -Xlinker -lbsd -Xlinker -lmd -Xlinker -s
build: deps
	swift build -c release $(STATIC_FLAGS) --product aft

# Build, then play a first session on the default SQLite store.
run: build
	AFT=$(RELEASE_BINARY) ./examples/first-session.sh

test: deps
	swift build --build-tests
	swift test --skip-build

install: build install-files

# Copies the files without building; BINARY picks another binary, as the tests do.
BINARY ?= $(RELEASE_BINARY)
install-files:
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BINARY) $(DESTDIR)$(BINDIR)/aft
	install -d $(DESTDIR)$(MANDIR)
	install -m 0644 man/aft.1 $(DESTDIR)$(MANDIR)/aft.1
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0644 completions/aft.bash $(DESTDIR)$(BASHCOMPDIR)/aft
	install -m 0644 completions/_aft $(DESTDIR)$(ZSHCOMPDIR)/_aft
	install -m 0644 completions/aft.fish $(DESTDIR)$(FISHCOMPDIR)/aft.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aft $(DESTDIR)$(MANDIR)/aft.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/aft $(DESTDIR)$(ZSHCOMPDIR)/_aft $(DESTDIR)$(FISHCOMPDIR)/aft.fish

clean:
	rm -rf .build
