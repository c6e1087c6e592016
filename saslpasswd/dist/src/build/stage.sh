#!/usr/bin/env bash
# stage.sh ROOT STAGE VERSION JFFI_NATIVE_JAR ADD_OPENS...
# Lays out everything but the jar (maven-shade-plugin writes that first, as
# STAGE/usr/share/sasldb4j/lib/sasldb4j.jar) as the Debian package installs it; jdeb and the
# assembly plugin then pack this one tree (the tarball without its usr/).
#   ROOT             the repository's root directory
#   STAGE            the staging directory (target/stage)
#   VERSION          the project version (0.1.0-SNAPSHOT)
#   JFFI_NATIVE_JAR  the file of jffi's native jar merged into sasldb4j.jar (its name only is used)
#   ADD_OPENS        the packages lmdbjava opens, "module/package" words (the pom's sasldb4j.addOpens)
# Needs only bash, coreutils and gzip. Compressed files are made with gzip -9n (no name, no
# time stamp), as Debian policy asks of man pages and changelogs.
set -euo pipefail
root=$1 stage=$2 version=$3 jffi=$4
shift 4
dist=$root/saslpasswd/dist
share=$stage/usr/share/sasldb4j
doc=$stage/usr/share/doc/sasldb4j
tools=(saslpasswd sasldblistusers sasldbconvert sasldb-authd)

[ -f "$share/lib/sasldb4j.jar" ] || { echo "stage.sh: $share/lib/sasldb4j.jar is missing (maven-shade-plugin runs first)" >&2; exit 1; }
case ${jffi##*/} in
    jffi-*-native.jar) ;;
    *) echo "stage.sh: $jffi is not jffi's native jar (the pom's com.github.jnr:jffi:jar:native)" >&2; exit 1 ;;
esac
mkdir -p "$stage/usr/sbin" "$stage/usr/share/man/man8" "$doc/examples" \
    "$stage/etc/sasldb4j" "$stage/lib/systemd/system"

# Launchers and their library.
for t in "${tools[@]}"; do install -m 0755 "$dist/src/bin/$t" "$stage/usr/sbin/$t"; done
install -m 0644 "$dist/src/share/launch.bash" "$share/launch.bash"
# The per-tool JVM flags: the very file the checkout's launcher sources.
install -m 0644 "$root/bin/lib/jvm-flags.bash" "$share/jvm-flags.bash"
install -m 0755 "$dist/src/share/make-cache" "$share/make-cache"

# Build-time data of the launchers: the name of the jffi release in the jar (make-cache takes its
# native stub into a directory of that name, so a newer jffi never loads an older stub) and the
# --add-opens flags.
jffi=${jffi##*/}
echo "${jffi%.jar}" > "$share/jffi"
opens=
# shellcheck disable=SC2048 # the pom passes the packages as one space-separated word
for p in $*; do opens="$opens --add-opens $p=ALL-UNNAMED"; done
echo "${opens# }" > "$share/jvm-options"

# Man pages, section 8 (admin commands and a daemon, in /usr/sbin).
for t in "${tools[@]}"; do
    page=$root/docs/man/$t.8
    if [ -f "$page" ]; then
        gzip -9n < "$page" > "$stage/usr/share/man/man8/$t.8.gz"
    else
        echo "stage.sh: WARNING: $page is missing: the package has no man page for $t" >&2
    fi
done

# Documentation.
install -m 0644 "$root/README.md" "$doc/README.md"
for f in "$root"/docs/*.md; do install -m 0644 "$f" "$doc/${f##*/}"; done
install -m 0644 "$dist/src/deb/copyright" "$doc/copyright"
# A native package's changelog.gz is a Debian changelog: one entry for this build, pointing to
# the project's own changelog (Keep a Changelog format), shipped as CHANGELOG.md.gz. Its date
# is the last commit's, so two builds of one commit are the same.
debversion=${version//-/\~}
when=$(git -C "$root" log -1 --format=%cD 2>/dev/null || true)
[ -n "$when" ] || when=$(LC_ALL=C date -u -R -d "@${SOURCE_DATE_EPOCH:-0}")
{
    echo "sasldb4j ($debversion) unstable; urgency=medium"
    echo
    echo "  * Built from the sasldb4j source repository; the changes of each release are"
    echo "    in /usr/share/doc/sasldb4j/CHANGELOG.md.gz."
    echo
    echo " -- sasldb4j developers <sasldb4j@example.org>  $when"
} | gzip -9n > "$doc/changelog.gz"
gzip -9n < "$root/CHANGELOG.md" > "$doc/CHANGELOG.md.gz"
install -m 0644 "$root/docs/sasldb-authd.conf" "$doc/examples/sasldb-authd.conf"
install -m 0644 "$root/docs/sasldb-authd-rehash.conf" "$doc/examples/sasldb-authd-rehash.conf"

# lintian's overrides, each with its reason (deb only; harmless in the tarball).
mkdir -p "$stage/usr/share/lintian/overrides"
install -m 0644 "$dist/src/deb/lintian-overrides" "$stage/usr/share/lintian/overrides/sasldb4j"

# The service and its configuration file (a conffile in the package).
install -m 0644 "$root/docs/sasldb-authd.service" "$stage/lib/systemd/system/sasldb-authd.service"
install -m 0644 "$root/docs/sasldb-authd.conf" "$stage/etc/sasldb4j/sasldb-authd.conf"
echo "stage.sh: staged sasldb4j $version in $stage"
