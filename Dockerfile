# syntax=docker/dockerfile:1
#
# dnshealth_exporter: a static binary on a distroless base, running as the
# unprivileged user "nonroot" (65532). Build and run:
#
#   docker build -t dnshealth_exporter --build-arg VERSION=$(git describe --tags --always) \
#       --build-arg REVISION=$(git rev-parse HEAD) \
#       --build-arg BRANCH=$(git rev-parse --abbrev-ref HEAD) .
#   docker run --rm -p 9553:9553 -v "$PWD/dnshealth.yml:/etc/dnshealth_exporter/dnshealth.yml:ro" \
#       dnshealth_exporter --config.file=/etc/dnshealth_exporter/dnshealth.yml
#
# Without --config.file the built-in "default" module is used. Reload a
# mounted configuration with `docker kill -s HUP <container>` or
# `curl -X POST :9553/-/reload`. The image has no shell: health-check it from
# outside, on /-/healthy.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG REVISION=unknown
ARG BRANCH=unknown
# CGO off: a static binary that needs no libc in the image. The probe does
# its own DNS (miekg/dns); it never uses the system resolver. The flags are
# .goreleaser.yaml's; the version loses a tag's "v" (v0.1.0 -> 0.1.0) as it
# does there.
RUN CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w \
            -X github.com/prometheus/common/version.Version=${VERSION#v} \
            -X github.com/prometheus/common/version.Revision=${REVISION} \
            -X github.com/prometheus/common/version.Branch=${BRANCH} \
            -X github.com/prometheus/common/version.BuildUser=docker \
            -X github.com/prometheus/common/version.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)" \
        -o /out/dnshealth_exporter . \
    && /out/dnshealth_exporter --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dnshealth_exporter /bin/dnshealth_exporter
USER 65532:65532
EXPOSE 9553
ENTRYPOINT ["/bin/dnshealth_exporter"]
CMD ["--web.listen-address=:9553"]
