package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dtheta.nn.Activation;
import org.junit.jupiter.api.Test;

/** The JIT warm-up: every workload runs and stops when closed; bad direction counts fail. */
class JitWarmupTest {

  @Test
  void everyWorkloadRunsAndStopsWhenClosed() {
    for (Architecture arch : List.of(new Architecture(List.of(8), Activation.SIGMOID),
        new Architecture(List.of(6, 4), Activation.TANH))) {
      for (int directions : new int[] {0, 1, 3, 100}) {
        try (JitWarmup warmup = JitWarmup.start(arch, directions)) {
          assertNotNull(warmup);
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().equals("dtheta-jit-warmup") && t.isAlive()),
            arch + " with " + directions + " directions: the warm-up thread still runs");
      }
    }
  }

  @Test
  void negativeDirectionsFail() {
    Architecture arch = new Architecture(List.of(8), Activation.SIGMOID);
    assertThrows(IllegalArgumentException.class, () -> JitWarmup.start(arch, -1));
  }
}
