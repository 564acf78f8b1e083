"""SegNet-Basic and FCN-32s in PyTorch, layer for layer as specs/segnet-basic.net and
specs/fcn32s.net (with specs/vgg16.net) define them, for bench/torch.ts. NCHW, the layout
PyTorch users train in. Parameter counts equal the specs' (the script prints them and
bench/torch.ts compares them with netc's).
"""
import torch
from torch import nn
import torch.nn.functional as F


class SegNetBasic(nn.Module):
    """LRN(5, 1e-4, 0.75), 4 x (conv 7x7 pad 3 + BN + ReLU + 2x2 ceil max pooling with
    indices), 4 x (unpool with those indices + conv 7x7 + BN), 1x1 classifier."""

    def __init__(self, classes: int = 11):
        super().__init__()
        # PyTorch's LRN divides alpha by size, as Caffe does (netc's lrn: alpha / size).
        self.lrn = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
        self.enc = nn.ModuleList([self._cb(3 if i == 0 else 64) for i in range(4)])
        self.dec = nn.ModuleList([self._cb(64) for _ in range(4)])
        self.classifier = nn.Conv2d(64, classes, 1)

    @staticmethod
    def _cb(cin: int) -> nn.Sequential:
        return nn.Sequential(nn.Conv2d(cin, 64, 7, padding=3), nn.BatchNorm2d(64, eps=1e-5, momentum=0.1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.lrn(x)
        links = []
        for cb in self.enc:
            x = F.relu(cb(x))
            size = x.shape[-2:]
            x, idx = F.max_pool2d(x, 2, 2, ceil_mode=True, return_indices=True)
            links.append((idx, size))
        for cb in self.dec:
            idx, size = links.pop()
            x = cb(F.max_unpool2d(x, idx, 2, 2, output_size=size))
        return self.classifier(x)


VGG16 = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]


class FCN32s(nn.Module):
    """VGG16 with conv1_1 padded by 100 and ceil-mode pooling, fc6 (7x7, 4096), fc7 (1x1,
    4096) with ReLU and dropout 0.5, score_fr (1x1, zeros), a fixed 64x64/32 transposed
    convolution without bias, cropped at offset 19 to the input size."""

    def __init__(self, classes: int = 21):
        super().__init__()
        layers = []
        cin = 3
        for stage, widths in enumerate(VGG16):
            for j, cout in enumerate(widths):
                layers += [nn.Conv2d(cin, cout, 3, padding=100 if stage == 0 and j == 0 else 1), nn.ReLU(inplace=True)]
                cin = cout
            layers.append(nn.MaxPool2d(2, 2, ceil_mode=True))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Sequential(
            nn.Conv2d(512, 4096, 7), nn.ReLU(inplace=True), nn.Dropout(0.5),
            nn.Conv2d(4096, 4096, 1), nn.ReLU(inplace=True), nn.Dropout(0.5),
        )
        self.score_fr = nn.Conv2d(4096, classes, 1)
        nn.init.zeros_(self.score_fr.weight)
        nn.init.zeros_(self.score_fr.bias)
        self.upscore = nn.ConvTranspose2d(classes, classes, 64, stride=32, bias=False)
        self.upscore.weight.requires_grad_(False)  # netc: deconv(trainable: false), bilinear init

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        y = self.upscore(self.score_fr(self.fc(self.features(x))))
        return y[:, :, 19:19 + h, 19:19 + w]


def build(name: str, classes: int) -> nn.Module:
    if name == 'segnet-basic':
        return SegNetBasic(classes)
    if name == 'fcn32s':
        return FCN32s(classes)
    raise SystemExit(f'unknown network {name!r}: segnet-basic or fcn32s')
