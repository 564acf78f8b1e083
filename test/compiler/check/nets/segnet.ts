/** SegNet `.net` texts (paper-architectures.md §1: alexgkendall/SegNet-Tutorial Models/*.prototxt). */

/** SegNet-Basic (§1.3): LRN, 4 × [conv 7×7 pad 3, BN, ReLU, 2×2 ceil pool], 4 × [unpool, conv, BN], 1×1 classifier. No `% 16` constraint. */
export const segnetBasic = `block enc(x) = x |> conv(64, 7, pad: 3) |> batchnorm |> relu
block dec(x) = x |> conv(64, 7, pad: 3) |> batchnorm

network segnet_basic(classes: int = 11) {
  input image: [H, W, 3]
  let code = image |> lrn as norm
    |> enc as conv1 |> maxpool(2, ceil: true) as pool1
    |> enc as conv2 |> maxpool(2, ceil: true) as pool2
    |> enc as conv3 |> maxpool(2, ceil: true) as pool3
    |> enc as conv4 |> maxpool(2, ceil: true) as pool4
  output scores = code
    |> unpool(pool4) as upsample4 |> dec as conv_decode4
    |> unpool(pool3) as upsample3 |> dec as conv_decode3
    |> unpool(pool2) as upsample2 |> dec as conv_decode2
    |> unpool(pool1) as upsample1 |> dec as conv_decode1
    |> conv(classes, 1) as conv_classifier
}
`;

/** SegNet (VGG16 encoder-decoder, §1.2): every conv but the last is conv → BN → ReLU. */
export const segnet = `block cbr(x, c: int) = x |> conv(c, 3, pad: 1) |> batchnorm |> relu

network segnet(classes: int = 11) {
  input image: [H, W, 3]
  let code = image
    |> cbr(64) as conv1_1 |> cbr(64) as conv1_2 |> maxpool(2, ceil: true) as pool1
    |> cbr(128) as conv2_1 |> cbr(128) as conv2_2 |> maxpool(2, ceil: true) as pool2
    |> cbr(256) as conv3_1 |> cbr(256) as conv3_2 |> cbr(256) as conv3_3 |> maxpool(2, ceil: true) as pool3
    |> cbr(512) as conv4_1 |> cbr(512) as conv4_2 |> cbr(512) as conv4_3 |> maxpool(2, ceil: true) as pool4
    |> cbr(512) as conv5_1 |> cbr(512) as conv5_2 |> cbr(512) as conv5_3 |> maxpool(2, ceil: true) as pool5
  output scores = code
    |> unpool(pool5) as upsample5 |> cbr(512) as conv5_3_D |> cbr(512) as conv5_2_D |> cbr(512) as conv5_1_D
    |> unpool(pool4) as upsample4 |> cbr(512) as conv4_3_D |> cbr(512) as conv4_2_D |> cbr(256) as conv4_1_D
    |> unpool(pool3) as upsample3 |> cbr(256) as conv3_3_D |> cbr(256) as conv3_2_D |> cbr(128) as conv3_1_D
    |> unpool(pool2) as upsample2 |> cbr(128) as conv2_2_D |> cbr(64) as conv2_1_D
    |> unpool(pool1) as upsample1 |> cbr(64) as conv1_2_D |> conv(classes, 3, pad: 1) as conv1_1_D
}
`;
