"""Officer care (暖警惠警 / 从优待警): concerns, visits, rights protection, campaign measures,
childcare, insurance, relief fund, hospital cooperation, six guarantees (issue 5)."""
