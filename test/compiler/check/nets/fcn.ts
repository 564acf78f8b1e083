/**
 * FCN `.net` texts (paper-architectures.md §2: shelhamer/fcn.berkeleyvision.org voc-fcn*), shared
 * by the network tests and the report tests. The trunk is language.md §10's `vgg16` block.
 */
export const vgg16Trunk = `block cr(x, c: int) = x |> conv(c, 3, pad: 1) |> relu

block vgg16(x, pad1: int = 1) {
  let pool3 = x
    |> conv(64, 3, pad: pad1) as conv1_1 |> relu |> cr(64) |> maxpool(2, ceil: true) as pool1
    |> cr(128) |> cr(128) |> maxpool(2, ceil: true) as pool2
    |> cr(256) |> cr(256) |> cr(256) |> maxpool(2, ceil: true)
  let pool4 = pool3 |> cr(512) |> cr(512) |> cr(512) |> maxpool(2, ceil: true)
  let pool5 = pool4 |> cr(512) |> cr(512) |> cr(512) |> maxpool(2, ceil: true)
  return { pool3: pool3, pool4: pool4, pool5: pool5 }
}

block head(x, classes: int) = x
  |> conv(4096, 7) as fc6 |> relu |> dropout(0.5)
  |> conv(4096, 1) as fc7 |> relu |> dropout(0.5)
  |> conv(classes, 1) as score_fr
`;

export const fcn32s = `${vgg16Trunk}
network fcn32s(classes: int = 21) {
  input image: [H, W, 3]
  let f = image |> vgg16(pad1: 100)
  let score = f.pool5 |> head(classes)
  output out = crop(score |> deconv(classes, 64, stride: 32, bias: false, trainable: false) as upscore, to: image) as score_crop
}
`;

export const fcn16s = `${vgg16Trunk}
network fcn16s(classes: int = 21) {
  input image: [H, W, 3]
  let f = image |> vgg16(pad1: 100)
  let score = f.pool5 |> head(classes)
  let up2 = score |> deconv(classes, 4, stride: 2, bias: false, trainable: false) as upscore2
  let fused = up2 + crop(f.pool4 |> conv(classes, 1) as score_pool4, to: up2) as score_pool4c
  output out = crop(fused |> deconv(classes, 32, stride: 16, bias: false, trainable: false) as upscore16, to: image) as score_crop
}
`;

export const fcn8s = `${vgg16Trunk}
network fcn8s(classes: int = 21) {
  input image: [H, W, 3]
  let f = image |> vgg16(pad1: 100)
  let score = f.pool5 |> head(classes)
  let up2 = score |> deconv(classes, 4, stride: 2, bias: false, trainable: false) as upscore2
  let fuse4 = up2 + crop(f.pool4 |> conv(classes, 1) as score_pool4, to: up2) as score_pool4c
  let up4 = fuse4 |> deconv(classes, 4, stride: 2, bias: false, trainable: false) as upscore_pool4
  let fuse3 = up4 + crop(f.pool3 |> conv(classes, 1) as score_pool3, to: up4) as score_pool3c
  output out = crop(fuse3 |> deconv(classes, 16, stride: 8, bias: false, trainable: false) as upscore8, to: image) as score_crop
}
`;

/** FCN-AlexNet (§2.3): CaffeNet order (pool, then LRN), conv1 pad 100, fc6 6×6, upscore k 63 (or 64, which fails). */
export const fcnAlexnet = (k = 63) => `network fcn_alexnet(classes: int = 21) {
  input image: [H, W, 3]
  let score = image
    |> conv(96, 11, stride: 4, pad: 100) as conv1 |> relu |> maxpool(3, stride: 2, ceil: true) as pool1 |> lrn as norm1
    |> conv(256, 5, pad: 2, groups: 2) as conv2 |> relu |> maxpool(3, stride: 2, ceil: true) as pool2 |> lrn as norm2
    |> conv(384, 3, pad: 1) as conv3 |> relu
    |> conv(384, 3, pad: 1, groups: 2) as conv4 |> relu
    |> conv(256, 3, pad: 1, groups: 2) as conv5 |> relu |> maxpool(3, stride: 2, ceil: true) as pool5
    |> conv(4096, 6) as fc6 |> relu |> dropout(0.5)
    |> conv(4096, 1) as fc7 |> relu |> dropout(0.5)
    |> conv(classes, 1) as score_fr
  output out = crop(score |> deconv(classes, ${k}, stride: 32, bias: false, trainable: false) as upscore, to: image) as score_crop
}
`;
