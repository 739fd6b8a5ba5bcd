"""The seed examples' GraphQL queries, ready to run against the demo, with links that open them in GraphiQL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse


@dataclass(frozen=True)
class SeedQuery:
    """One seed example: what it shows, which seeds it comes from, and its GraphQL text."""

    slug: str
    title: str
    seeds: str
    text: str

    @property
    def graphiql_url(self) -> str:
        """The console's API tab with this query in the editor."""
        return f"{reverse('console-api')}?{urlencode({'query': self.text})}"


SEED_QUERIES: tuple[SeedQuery, ...] = (
    SeedQuery(
        "create-user",
        "createUser, then the new users row (action → table)",
        "seeds 000–002",
        """mutation {
  createUser(name: "Hodor") {
    id
    user {
      name
      auth0_id
    }
  }
}
""",
    ),
    SeedQuery(
        "create-user-auth0-profile",
        "createUser, the users row and its Auth0 profile (action → table → remote schema)",
        "seed 002",
        """mutation {
  createUser(name: "Hodor") {
    id
    user {
      name
      auth0_id
      auth0_profile {
        email
        nickname
        last_login
      }
    }
  }
}
""",
    ),
    SeedQuery(
        "update-author",
        "updateAuthor, then the author and its articles (action → table → table)",
        "seed 003",
        """mutation updateAuthorAndGetArticles($id: Int = 1, $name: String = "Ursula Kroeber Le Guin") {
  updateAuthor(id: $id, name: $name) {
    author_id
    updatedAuthor {
      id
      name
      articles {
        id
        title
      }
    }
  }
}
""",
    ),
    SeedQuery(
        "insert-author",
        "insertAuthor, then the new author (action → table)",
        "seed 003",
        """mutation {
  insertAuthor(name: "Octavia E. Butler") {
    id
    author {
      id
      name
      articles {
        title
      }
    }
  }
}
""",
    ),
    SeedQuery(
        "orders-user",
        "Orders from the order service, each with its user row (remote schema → table)",
        "seed 004",
        """query {
  orders {
    id
    product
    quantity
    user_id
    user {
      id
      name
    }
  }
}
""",
    ),
)
