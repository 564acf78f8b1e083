/**
 * Fangyh09/pytorch-receptive-field's README network (receptive-field-tools.md §4.5):
 * Conv2d(3, 64, k7, s2, p3) → BN → ReLU → MaxPool(3, 2, 1) → AvgPool(3, 2, 1).
 */
export const fangyh09 = `network fangyh09() {
  input image: [H, W, 3]
  output out = image |> conv(64, 7, stride: 2, pad: 3) as conv1 |> batchnorm as bn1 |> relu |> maxpool(3, stride: 2, pad: 1) as pool1 |> avgpool(3, stride: 2, pad: 1) as pool2
}
`;
