package org.dtheta.core;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The derivative checks of {@link DerivativeChecks} on random ops, shapes (including rows or
 * columns of 1, where broadcasts and reductions degenerate), activity patterns, numbers of
 * directions per sweep, and points.
 */
class OpDerivativesPropertiesTest {

  @Property(tries = 150)
  void everyDerivativeMatchesItsOracle(
      @ForAll("ops") OpCase op,
      @ForAll @IntRange(min = 1, max = 4) int r,
      @ForAll @IntRange(min = 1, max = 4) int c,
      @ForAll @IntRange(min = 1, max = 3) int q,
      @ForAll @IntRange(min = 0, max = 63) int patternIndex,
      @ForAll @IntRange(min = 1, max = 5) int directions,
      @ForAll long seed) {
    List<boolean[]> patterns = op.activityPatterns();
    boolean[] active = patterns.get(patternIndex % patterns.size());
    Random rnd = new Random(seed);
    DerivativeChecks.all(op.build(r, c, q, active, rnd), rnd, directions);
  }

  @Provide
  Arbitrary<OpCase> ops() {
    return Arbitraries.of(OpCase.ALL);
  }
}
