"""The same training in PyTorch (CPU), written the idiomatic way: nn.Sequential, DataLoader-free batching, Adam."""

from __future__ import annotations

from benchmarks.workloads import Workload


class TorchMLP:
    def __init__(self, work: Workload, seed: int = 0):
        import torch
        from torch import nn
        torch.manual_seed(seed)
        self.torch = torch
        self.work = work
        layers = []
        for i, (fan_in, fan_out) in enumerate(zip(work.sizes[:-1], work.sizes[1:])):
            layers.append(nn.Linear(fan_in, fan_out))
            if i < len(work.sizes) - 2:
                layers.append(nn.Tanh() if work.activation == "tanh" else nn.ReLU())
                if work.dropout:
                    layers.append(nn.Dropout(work.dropout))
        self.model = nn.Sequential(*layers)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.loss = nn.CrossEntropyLoss()
        self.x = torch.from_numpy(work.x)
        self.y = torch.from_numpy(work.y)

    def train_epoch(self) -> None:
        torch, work = self.torch, self.work
        self.model.train()
        order = torch.randperm(work.num_samples)
        for start in range(0, work.num_samples, work.batch_size):
            idx = order[start:start + work.batch_size]
            self.optimizer.zero_grad(set_to_none=True)
            loss = self.loss(self.model(self.x[idx]), self.y[idx])
            loss.backward()
            self.optimizer.step()
