"""Unit tests of the PyTorch trainer's pieces against docs/methods.md's checklist (run by src/cli/exportRun.test.ts:
`/usr/bin/python3 -m unittest discover -s trainers/torch -p 'test_*.py'`)."""
import math
import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from losses import kl_loss, reduce_map_scores, reduce_rows  # noqa: E402
from train import AdamW, lr_at  # noqa: E402

torch.set_num_threads(1)


class KlTest(unittest.TestCase):
    def test_item_13_identical_logits_zero_and_duplicated_batch_unchanged(self):
        g = torch.Generator().manual_seed(1)
        a, b = torch.randn(5, 7, generator=g), torch.randn(5, 7, generator=g)
        self.assertAlmostEqual(kl_loss(a, a, 2.0).item(), 0.0, places=6)
        self.assertAlmostEqual(kl_loss(torch.cat([a, a]), torch.cat([b, b]), 2.0).item(), kl_loss(a, b, 2.0).item(), places=5)

    def test_items_13_19_t_squared_and_explicit_denominator(self):
        g = torch.Generator().manual_seed(2)
        a, b = torch.randn(3, 6, generator=g), torch.randn(3, 6, generator=g)
        p, lq = torch.softmax(a / 15, -1), torch.log_softmax(b / 15, -1)
        raw = (p * (p.log() - lq)).sum().item()
        self.assertAlmostEqual(kl_loss(a, b, 15.0).item(), 225 * raw / 3, places=5)
        self.assertAlmostEqual(kl_loss(a, b, 15.0, denominator=12).item(), 225 * raw / 12, places=5)  # item 20: B·n


class ReduceTest(unittest.TestCase):
    def test_item_6_one_piece_exact_two_pieces_summed(self):
        z = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
        rows, sizes = reduce_rows(z, torch.tensor([0, 1, 3]), torch.tensor([0, 1, 2]))
        self.assertTrue(torch.equal(rows, torch.tensor([[1.0, 2.0], [8.0, 11.0]])))
        self.assertTrue(torch.equal(sizes, torch.tensor([[1.0], [2.0]])))

    def test_items_9_10_reduce_map_scores(self):
        r = torch.tensor([[0.5, -1.0, 2.0]])
        pieces = torch.tensor([[2, 0], [0, 1], [0, 1]])  # entry 0: σ = (u2); entries 1 and 2: the same σ
        valid = torch.tensor([[1, 0], [1, 1], [1, 1]])
        for mode in ("sum", "logsumexp"):
            s = reduce_map_scores(r, pieces, valid, mode)
            self.assertAlmostEqual(s[0, 0].item(), 2.0, places=6)  # σ(v) = (u) scores exactly r_u
            self.assertEqual(s[0, 1].item(), s[0, 2].item())
            self.assertFalse(torch.isnan(s).any())  # padding is −∞ in logsumexp mode, never NaN
        self.assertAlmostEqual(reduce_map_scores(r, pieces, valid, "logsumexp")[0, 1].item(), math.log(math.exp(0.5) + math.exp(-1.0)), places=6)


class ScheduleOptimizerTest(unittest.TestCase):
    def test_lr_at_matches_the_engine_schedule(self):
        r = {"lr": 1e-3, "steps": 100, "warmupFrac": 0.05, "decay": "linear", "minLrFrac": 0.0}
        self.assertAlmostEqual(lr_at(0, r), 2e-4)
        self.assertAlmostEqual(lr_at(4, r), 1e-3)
        self.assertAlmostEqual(lr_at(52, r), 1e-3 * (1 - 47 / 95))
        c = {**r, "decay": "cosine", "minLrFrac": 0.05}
        self.assertAlmostEqual(lr_at(100, c), 5e-5)

    def test_adamw_decays_matrices_only(self):
        w, b = torch.nn.Parameter(torch.ones(2, 2)), torch.nn.Parameter(torch.ones(2))
        w.grad, b.grad = torch.zeros(2, 2), torch.zeros(2)
        AdamW([w, b], wd=0.1).step(lr=1.0, clip=1.0)
        self.assertTrue(torch.allclose(w, torch.full((2, 2), 0.9)))
        self.assertTrue(torch.equal(b.detach(), torch.ones(2)))


if __name__ == "__main__":
    unittest.main()
