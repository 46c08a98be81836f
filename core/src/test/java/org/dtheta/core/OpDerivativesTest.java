package org.dtheta.core;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op in {@link OpCase#ALL}, with every allowed mix of variable and constant operands, at
 * sizes {@code r = 3, c = 4, q = 2} (no two alike, so a transposed index shows), composed into
 * {@code sum(square(op))}: each derivative against its oracle (see {@link DerivativeChecks}).
 */
class OpDerivativesTest {

  static final int R = 3;
  static final int C = 4;
  static final int Q = 2;

  static Stream<Arguments> casesAndPatterns() {
    return OpCase.ALL.stream()
        .flatMap(c -> c.activityPatterns().stream()
            .map(p -> Arguments.of(c, OpCase.describe(p), p)));
  }

  private static OpCase.Built build(OpCase op, boolean[] active, Random rnd) {
    return op.build(R, C, Q, active, rnd);
  }

  private static Random random(OpCase op, String pattern) {
    return new Random((op.name + pattern).hashCode());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndPatterns")
  void gradientMatchesFiniteDifferences(OpCase op, String pattern, boolean[] active) {
    Random rnd = random(op, pattern);
    DerivativeChecks.gradient(build(op, active, rnd));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndPatterns")
  void jvpMatchesFiniteDifferences(OpCase op, String pattern, boolean[] active) {
    Random rnd = random(op, pattern);
    DerivativeChecks.jacobianVectorProduct(build(op, active, rnd), rnd);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndPatterns")
  void vjpSatisfiesDotProductIdentity(OpCase op, String pattern, boolean[] active) {
    Random rnd = random(op, pattern);
    DerivativeChecks.vectorJacobianProduct(build(op, active, rnd), rnd);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndPatterns")
  void hvpMatchesFiniteDifferencesOfGradient(OpCase op, String pattern, boolean[] active) {
    Random rnd = random(op, pattern);
    DerivativeChecks.hessianVectorProduct(build(op, active, rnd), rnd);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndPatterns")
  void batchedHessianProductEqualsSingleProducts(OpCase op, String pattern, boolean[] active) {
    Random rnd = random(op, pattern);
    DerivativeChecks.batchedEqualsSingle(build(op, active, rnd), rnd, 4);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesAndPatterns")
  void denseHessianIsSymmetric(OpCase op, String pattern, boolean[] active) {
    Random rnd = random(op, pattern);
    DerivativeChecks.hessianSymmetric(build(op, active, rnd));
  }
}
