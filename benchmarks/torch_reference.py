"""The same training in PyTorch (CPU), written the idiomatic way: nn.Sequential, DataLoader-free batching, and the
workload's optimizer (Adam, SGD with momentum or RMSprop, torch.optim's)."""

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
        self.optimizer = torch_optimizer(torch, self.model.parameters(), work.optimizer)
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


def torch_optimizer(torch, parameters, settings: dict):
    """torch.optim's optimizer for the workload's optimizer settings (the spec's names)."""
    name, lr = settings["name"], settings["lr"]
    if name == "adam":
        return torch.optim.Adam(parameters, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(parameters, lr=lr, momentum=settings["momentum"])
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr)
    raise ValueError(f"no PyTorch optimizer for {name!r}")
