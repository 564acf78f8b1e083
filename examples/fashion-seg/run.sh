#!/usr/bin/env bash
# Fashion-MNIST mosaics → SegNet-Basic: build the data set, train, evaluate, predict.
#   examples/fashion-seg/run.sh            (from anywhere; writes examples/fashion-seg/out/)
# Environment: EPOCHS (default 6), TRAIN/VAL/TEST mosaic counts (600/100/200),
# NETC (default: the repository's CLI through tsx; `npx netc` once built), NETC_THREADS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/out"
netc=${NETC:-"node --import tsx $root/cli/netc.ts"}
epochs=${EPOCHS:-6}

cd "$root"
# This script owns out/: a new run replaces the previous one (netc itself never overwrites a run).
rm -rf "$out/run" "$out/predictions"
mkdir -p "$out"

start=$(date +%s)
npx tsx "$here/make-mosaics.ts" --out "$out/data" --train "${TRAIN:-600}" --val "${VAL:-100}" --test "${TEST:-200}" --grid 2 --cell 28
made=$(date +%s)

# The spec's recipe (sgd lr 0.1, momentum 0.9, batch 12, median-frequency weights); its
# `classes` (11) equals the data's: background + the 10 Fashion-MNIST classes.
$netc train specs/segnet-basic.net --data "$out/data" -o "$out/run" --epochs "$epochs" 2>&1 | tee "$out/train.log"
trained=$(date +%s)

$netc eval "$out/run" --split test | tee "$out/eval.txt"
$netc eval "$out/run" --split test --json > "$out/eval.json"
evaluated=$(date +%s)

$netc predict "$out/run" "$out"/data/test/images/test_0000{0,1,2,3}.png -o "$out/predictions" --overlay

echo "data $((made - start)) s, training $((trained - made)) s, evaluation $((evaluated - trained)) s" | tee "$out/times.txt"
